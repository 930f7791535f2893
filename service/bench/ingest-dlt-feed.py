"""The peer in `bench:ingest`'s small-feed case: dlt merging a sequence of earthquake payloads on `id`.

Every payload is a GeoJSON feature collection as the USGS serves it. All runs happen in one process, one after
another, as a scheduler would run them. Prints one JSON line: each run's seconds, the rows stored at the end and
peak RSS. Then, untimed, writes each stored event's id and `updated` (epoch ms) to a Parquet file, so the benchmark
can tell whether dlt ended with the same records at the same versions as the pipeline.
"""

import json
import resource
import sys
import time

import dlt

database, stored_keys, files = sys.argv[1], sys.argv[2], sys.argv[3:]


def features(file):
    with open(file, encoding="utf-8") as f:
        yield json.load(f)["features"]


pipeline = dlt.pipeline(
    pipeline_name="odp_bench_feed",
    destination=dlt.destinations.duckdb(database),
    dataset_name="bench",
    pipelines_dir=f"{database}.pipelines",
)
seconds = []
for file in files:
    payload = dlt.resource(features(file), name="earthquakes", write_disposition="merge", primary_key="id")
    started = time.perf_counter()
    pipeline.run(payload)
    seconds.append(time.perf_counter() - started)
# The peak of the loads themselves, before the untimed export below.
peak_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
with pipeline.sql_client() as client:
    stored = client.execute_sql("SELECT count(*) FROM earthquakes")[0][0]
    client.execute_sql(
        "COPY (SELECT id, properties__updated::BIGINT AS updated FROM earthquakes) "
        f"TO '{stored_keys}' (FORMAT parquet)"
    )
print(
    json.dumps(
        {
            "step": "dlt-feed",
            "seconds": sum(seconds),
            "runs": seconds,
            "stored": stored,
            "peakRssMb": peak_rss_mb,
        }
    )
)
