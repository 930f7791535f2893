import { expect } from 'chai';
import { feedEntries } from '../../src/sources/formats/rss.js';
import { bundledDatasets, Sandbox } from '../fixtures/sandbox.js';

describe('news feeds: RSS 2.0 and Atom', () => {
  let sandbox: Sandbox;
  before(async () => {
    sandbox = await Sandbox.create();
  });
  after(() => sandbox.close());

  it('reads RSS items and Atom entries into the same fields', () => {
    const [item] = feedEntries(`<?xml version="1.0"?>
      <rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>t</title>
        <item><title>A &amp; B</title><link>https://example.org/a</link><guid isPermaLink="false">g-1</guid>
          <description><![CDATA[<p>about A</p>]]></description><category>one</category><category>two</category>
          <dc:creator>Ada</dc:creator><pubDate>Tue, 01 Dec 2026 10:00:00 +0100</pubDate></item>
      </channel></rss>`);
    expect(item).to.deep.equal({
      id: 'g-1',
      title: 'A & B',
      link: 'https://example.org/a',
      summary: '<p>about A</p>',
      content: null,
      author: 'Ada',
      categories: ['one', 'two'],
      published: '2026-12-01T09:00:00.000Z',
      updated: null,
    });
    const [entry] = feedEntries(`<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <entry><id>urn:x:1</id><title type="html">Entry</title>
          <link rel="self" href="https://example.org/self"/><link href="https://example.org/e1"/>
          <summary>s</summary><author><name>Grace</name></author><category term="physics"/>
          <published>2026-12-01T08:00:00Z</published><updated>2026-12-02T08:00:00Z</updated></entry></feed>`);
    expect(entry).to.deep.include({
      id: 'urn:x:1',
      title: 'Entry',
      link: 'https://example.org/e1',
      author: 'Grace',
      categories: ['physics'],
      published: '2026-12-01T08:00:00.000Z',
      updated: '2026-12-02T08:00:00.000Z',
    });
    expect(() => feedEntries('<html><body/></html>')).to.throw(/root is <html>/);
  });

  it('ingests the Phys.org physics dataset from its bundled sample, once', async () => {
    await sandbox.open({ ODP_DATASETS: bundledDatasets });
    const run = await sandbox.ingest('physics');
    expect(run).to.include({ status: 'succeeded', received: 4, inserted: 4, quarantined: 0 });
    expect(run.increments[0]).to.match(/^physics\/\d{4}\/\d{2}\/\d{2}\/.+\.xml$/);
    const [first] = await sandbox.query<{ id: string; title: string; category: string; published: string }>(
      `SELECT id, title, category, strftime(published AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS published
       FROM lake.main.physics ORDER BY published DESC LIMIT 1`,
    );
    expect(first).to.deep.equal({
      id: 'sample-cold-atoms',
      title: 'Cold atoms hold a quantum state for a full minute',
      category: 'Quantum Physics',
      published: '2026-11-30T14:05:00Z',
    });
    expect(await sandbox.ingest('physics')).to.include({ status: 'succeeded', inserted: 0, unchanged: 4 });
  });

  it('quarantines a payload that is not a feed as one record, with the reason', async () => {
    await sandbox.write(
      'news.yaml',
      `name: news
schedule: "0 * * * *"
source: { format: rss, live: news.xml }
key: [id]
columns:
  - { name: id, type: VARCHAR }
  - { name: title, type: VARCHAR }
`,
    );
    await sandbox.write('news.xml', '<html><body>Service unavailable</body></html>');
    await sandbox.open();
    const run = await sandbox.ingest('news');
    expect(run).to.include({ status: 'succeeded', received: 1, inserted: 0, quarantined: 1 });
    const [record] = await sandbox.query<{ reason: string; raw: string }>(
      "SELECT reason, raw FROM lake.odp.quarantine WHERE dataset = 'news'",
    );
    expect(record!.reason).to.contain('not an RSS 2.0 or Atom feed');
    expect(record!.raw).to.contain('Service unavailable');
  });
});
