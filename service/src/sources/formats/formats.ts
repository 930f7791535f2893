import type { Dataset } from '../../datasets/definition.js';
import { csv } from './csv.js';
import type { SourceFormat } from './format.js';
import { geojson, json } from './json.js';
import { ndjson } from './ndjson.js';
import { parquet } from './parquet.js';
import { rss } from './rss.js';
import { xlsx } from './xlsx.js';

/** Every payload format a dataset may declare, by the name it declares; a new format registers here. */
export const FORMATS: Record<Dataset['source']['format'], SourceFormat> = {
  json,
  geojson,
  ndjson,
  csv,
  parquet,
  rss,
  xlsx,
};
