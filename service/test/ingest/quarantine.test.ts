import { expect } from 'chai';
import { balanced, ndjson, readingsDataset, Sandbox } from '../fixtures/sandbox.js';

interface Quarantined {
  record_no: string;
  raw: string;
  reason: string;
  codes: string[];
}

describe('corrupt records are quarantined with a reason, never dropped', () => {
  let sandbox: Sandbox;

  beforeEach(async () => {
    sandbox = await Sandbox.create();
    await sandbox.write('readings.yaml', readingsDataset());
  });
  afterEach(() => sandbox.close());

  const quarantined = () =>
    sandbox.query<Quarantined>(
      'SELECT record_no, raw, reason, codes FROM lake.odp.quarantine ORDER BY record_no',
    );

  it('quarantines each bad-input class with a reason a person can act on, and stores the good records', async () => {
    const lines = [
      ndjson([{ id: 'a', v: 1, value: 1.5, label: 'ok' }]),
      '{"id": "b", "v": 1, "value": 2', // malformed JSON
      ndjson([{ id: 'c', v: 1, value: 'high' }]), // wrong type
      ndjson([{ id: 'd', v: 1 }]), // missing required field
      ndjson([{ id: 'e', v: 1, value: 3, label: 'x'.repeat(21) }]), // oversize field
      ndjson([{ id: 'f', v: 1, value: -1 }]), // breaks a rule
      '42', // not an object
      ndjson([{ v: 1, value: 4 }]), // no key
      '',
      ndjson([{ id: 'g', v: 1, value: 7 }]),
    ];
    await sandbox.write('readings.ndjson', lines.join('\n'));
    const run = await sandbox.ingest('readings');

    expect(run.status, run.error ?? '').to.equal('succeeded');
    expect(run).to.include({ received: 9, inserted: 2, updated: 0, unchanged: 0, quarantined: 7 });
    expect(balanced(run)).to.equal(true);
    const reasons = (await quarantined()).map((q) => [Number(q.record_no), q.reason]);
    expect(reasons).to.deep.equal([
      [2, 'line 2: not valid JSON'],
      [3, 'value: high is not a valid DOUBLE'],
      [4, 'value: required but missing'],
      [5, 'label: 21 characters, over the limit of 20'],
      [6, 'non-negative: value must not be negative'],
      [7, 'line 7: not a JSON object'],
      [8, 'id: required but missing'],
    ]);
    const raw = (await quarantined()).find((q) => Number(q.record_no) === 2)?.raw;
    expect(raw).to.equal('{"id": "b", "v": 1, "value": 2');
    expect(run.top_reasons[0]).to.deep.equal({ code: 'malformed', count: 2 });
    expect(run.top_reasons).to.have.length(5);

    const stored = await sandbox.query<{ id: string; doubled: number }>(
      'SELECT id, doubled FROM lake.main.readings ORDER BY id',
    );
    expect(stored).to.deep.equal([
      { id: 'a', doubled: 3 },
      { id: 'g', doubled: 14 },
    ]);
  });

  it('keeps the newest of duplicate keys in a batch and quarantines a same-version conflict', async () => {
    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 2, value: 20 },
        { id: 'a', v: 1, value: 10 }, // older version: left alone
        { id: 'a', v: 2, value: 20 }, // exact copy: left alone
        { id: 'b', v: 5, value: 1 },
        { id: 'b', v: 5, value: 2 }, // same version, other content: a conflict
      ]),
    );
    const run = await sandbox.ingest('readings');
    expect(run).to.include({ received: 5, inserted: 2, unchanged: 2, quarantined: 1 });
    const [conflict] = await quarantined();
    expect(conflict?.reason).to.equal(
      'duplicate key (id=b) in this batch with the same v and different content; kept record 5',
    );
    expect(conflict?.codes).to.deep.equal(['conflict']);
    expect(JSON.parse(conflict!.raw)).to.include({ id: 'b', value: 1 });
    const stored = await sandbox.query('SELECT id, v, value FROM lake.main.readings ORDER BY id');
    expect(stored).to.deep.equal([
      { id: 'a', v: 2, value: 20 },
      { id: 'b', v: 5, value: 2 },
    ]);
  });

  it('quarantines a whole payload that is not valid JSON as one record and commits nothing else', async () => {
    await sandbox.write(
      'readings.yaml',
      readingsDataset({ source: 'readings.json' }).replace('format: ndjson', 'format: json'),
    );
    await sandbox.write('readings.json', '[{"id": "a", "v": 1, "value": 1},');
    const run = await sandbox.ingest('readings');
    expect(run).to.include({ status: 'succeeded', received: 1, quarantined: 1, inserted: 0 });
    const [payload] = await quarantined();
    expect(payload?.reason).to.equal('the payload is not valid JSON');
    expect(payload?.raw).to.equal('[{"id": "a", "v": 1, "value": 1},');
  });

  // The second file has a column of its own named rowid, as some exports do: the lines are counted the same.
  for (const extra of ['', 'rowid,']) {
    it(`quarantines CSV lines the reader cannot parse and values that do not cast, with the line number${extra ? ' (a rowid column in the file)' : ''}`, async () => {
      await sandbox.write(
        'readings.yaml',
        readingsDataset({ source: 'readings.csv' }).replace('format: ndjson', 'format: csv'),
      );
      const line = (text: string, n: number) => (extra ? `${90 + n},${text}` : text);
      await sandbox.write(
        'readings.csv',
        `${extra}id,v,value,label\n${['a,1,1.5,x', 'b,1,2.5,y,surplus', 'c,1,oops,z', 'd,1,4,w'].map(line).join('\n')}\n`,
      );
      const run = await sandbox.ingest('readings');
      expect(run).to.include({ received: 4, inserted: 2, quarantined: 2 });
      const reasons = (await quarantined()).map((q) => q.reason);
      expect(reasons[0]).to.equal('line 4: value: oops is not a valid DOUBLE');
      expect(reasons[1]).to.match(/^line 3: .*(column|Expected)/i);
      expect((await quarantined())[1]?.raw).to.equal(line('b,1,2.5,y,surplus', 1));
    });
  }

  it('re-drives quarantined records after the definition is fixed, and marks them re-driven', async () => {
    await sandbox.write(
      'readings.ndjson',
      ndjson([
        { id: 'a', v: 1, value: -5 },
        { id: 'b', v: 1, value: 5 },
      ]),
    );
    const first = await sandbox.ingest('readings');
    expect(first).to.include({ inserted: 1, quarantined: 1 });

    // The rule was too strict: negative readings are real. Fix the definition, then re-drive.
    await sandbox.write(
      'readings.yaml',
      readingsDataset().replace('check: value >= 0', 'check: value >= -100'),
    );
    const runtime = await sandbox.open();
    const { runToEnd } = await import('../../src/runs/start.js');
    const { listQuarantine } = await import('../../src/journal/quarantine.js');
    const replay = await runToEnd(runtime, { trigger: 'quarantine-replay', dataset: 'readings' });
    expect(replay).to.include({
      status: 'succeeded',
      trigger: 'quarantine-replay',
      received: 1,
      inserted: 1,
      quarantined: 0,
    });
    expect(await runtime.lake.session((c) => listQuarantine(c, 'readings'))).to.deep.equal([]);
    const [marked] = await runtime.lake.session((c) =>
      listQuarantine(c, 'readings', { includeReplayed: true }),
    );
    expect(marked?.replayed_by).to.equal(replay.run_id);
    const values = await sandbox.query('SELECT id, value FROM lake.main.readings ORDER BY id');
    expect(values).to.deep.equal([
      { id: 'a', value: -5 },
      { id: 'b', value: 5 },
    ]);
  });
});
