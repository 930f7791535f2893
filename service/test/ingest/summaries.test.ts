import path from 'node:path';
import { expect } from 'chai';
import { ChatStandIn, newsDataset } from '../fixtures/chatModel.js';
import { bundledDatasets, ndjson, Sandbox } from '../fixtures/sandbox.js';

describe('summary enrichments from a language model (an OpenAI-compatible stand-in)', () => {
  let sandbox: Sandbox;
  let model: ChatStandIn;
  const articles = (texts: string[]) => ndjson(texts.map((text, i) => ({ id: `a${i}`, body: text })));

  before(async () => {
    model = await ChatStandIn.start();
    sandbox = await Sandbox.create();
    await sandbox.write('model-key', 'sk-test-key\n');
    await sandbox.write('news.yaml', newsDataset);
    await sandbox.open(modelSettings(10_000));
  });
  after(async () => {
    await sandbox.close();
    await model.stop();
  });

  /** The model's settings; a timeout far above the stand-in's answer time, so only a stall ever reaches it. */
  const modelSettings = (timeoutMs: number) => ({
    ODP_LLM_URL: model.url,
    ODP_LLM_MODEL: 'stand-in-model',
    ODP_LLM_KEY_FILE: path.join(sandbox.datasetsDir, 'model-key'),
    ODP_LLM_ATTEMPTS: '2',
    ODP_LLM_GIVE_UP_AFTER: '2',
    ODP_LLM_TIMEOUT_MS: String(timeoutMs),
  });
  const gists = () =>
    sandbox.query<{ id: string; gist: string | null }>('SELECT id, gist FROM lake.main.news ORDER BY id');

  it('summarises each new text once, with the model and key configured, and stores the summary', async () => {
    await sandbox.write(
      'news.ndjson',
      articles(['Quarks meet gluons again', 'Lasers cool the mirror', 'Quarks meet gluons again']),
    );
    const run = await sandbox.ingest('news');
    expect(run).to.include({ status: 'succeeded', inserted: 3, quarantined: 0 });
    expect(run.notes).to.deep.equal([]);
    // Two distinct texts, two requests.
    expect(model.requests.map((r) => r.text).sort()).to.deep.equal([
      'Lasers cool the mirror',
      'Quarks meet gluons again',
    ]);
    expect(
      model.requests.every((r) => r.model === 'stand-in-model' && r.authorization === 'Bearer sk-test-key'),
    ).to.equal(true);
    expect(await gists()).to.deep.equal([
      { id: 'a0', gist: 'Summary: Quarks meet gluons (4 words)' },
      { id: 'a1', gist: 'Summary: Lasers cool the (4 words)' },
      { id: 'a2', gist: 'Summary: Quarks meet gluons (4 words)' },
    ]);
  });

  it('never asks again for a text it summarised, and asks for a changed one', async () => {
    model.requests.length = 0;
    expect(await sandbox.ingest('news')).to.include({ status: 'succeeded', unchanged: 3 });
    expect(model.requests).to.have.length(0);
    await sandbox.write(
      'news.ndjson',
      articles(['Quarks meet gluons again', 'Lasers cool the mirror further', 'Quarks meet gluons again']),
    );
    expect(await sandbox.ingest('news')).to.include({ status: 'succeeded', updated: 1 });
    expect(model.requests.map((r) => r.text)).to.deep.equal(['Lasers cool the mirror further']);
    // The changed text's own summary, not the one of the text it replaced.
    expect(await gists()).to.deep.equal([
      { id: 'a0', gist: 'Summary: Quarks meet gluons (4 words)' },
      { id: 'a1', gist: 'Summary: Lasers cool the (5 words)' },
      { id: 'a2', gist: 'Summary: Quarks meet gluons (4 words)' },
    ]);
  });

  it('leaves the summary empty with the reason in the run when the model fails or stalls; never quarantines', async () => {
    // A shorter timeout, so the stall costs seconds; still far above what an answer takes.
    await sandbox.open(modelSettings(2_000));
    model.requests.length = 0;
    await sandbox.write(
      'news.ndjson',
      articles(['Quarks meet gluons again', 'FAIL this one', 'STALL on this one']),
    );
    const run = await sandbox.ingest('news');
    expect(run).to.include({ status: 'succeeded', updated: 2, quarantined: 0 });
    // Each failing text was tried twice (ODP_LLM_ATTEMPTS=2).
    expect(model.requests.filter((r) => r.text === 'FAIL this one')).to.have.length(2);
    expect(run.notes).to.have.length(1);
    // Both reasons, each once: the failing answer and the stall.
    expect(run.notes[0]).to.match(/^gist: 2 of 2 text\(s\) not summarised: /);
    expect(
      (run.notes[0] as string)
        .replace(/^gist: 2 of 2 text\(s\) not summarised: /, '')
        .split('; ')
        .sort(),
    ).to.deep.equal(['no answer within 2000 ms', 'the model answered 500 Internal Server Error']);
    const stored = await gists();
    expect(stored.map((r) => r.gist)).to.deep.equal(['Summary: Quarks meet gluons (4 words)', null, null]);
    const served = await sandbox.query<{ notes: string[] }>(
      'SELECT notes FROM lake.odp.runs WHERE run_id = ?',
      [run.run_id],
    );
    expect(served[0]!.notes).to.deep.equal(run.notes);
  });

  it('tries a text it could not summarise again in the next runs, and gives it up after ODP_LLM_GIVE_UP_AFTER runs', async () => {
    model.requests.length = 0;
    // The source is unchanged: the two texts come back only as stored records with an empty summary.
    const second = await sandbox.ingest('news');
    expect(second).to.include({ status: 'succeeded', unchanged: 3 });
    expect(model.requests.filter((r) => r.text === 'FAIL this one')).to.have.length(2);
    expect(model.requests.filter((r) => r.text === 'STALL on this one')).to.have.length(2);
    expect(second.notes).to.have.length(2);
    expect(second.notes[1]).to.equal(
      'gist: 2 text(s) given up: 2 run(s) could not summarise them (ODP_LLM_GIVE_UP_AFTER); their records keep an empty summary',
    );
    model.requests.length = 0;
    const third = await sandbox.ingest('news');
    expect(third).to.include({ status: 'succeeded', unchanged: 3 });
    expect(third.notes).to.deep.equal([]);
    expect(model.requests).to.have.length(0);
    expect((await gists()).map((r) => r.gist)).to.deep.equal([
      'Summary: Quarks meet gluons (4 words)',
      null,
      null,
    ]);
  });

  it('fills the summaries an outage left empty on the next run after the model recovers, summarising no text twice', async () => {
    await sandbox.open(modelSettings(10_000));
    const texts = ['Quarks meet gluons again', 'FAIL this one', 'STALL on this one'];
    await sandbox.write(
      'news.ndjson',
      articles([...texts, 'Neutrinos oscillate in flight', 'Muons decay slowly']),
    );
    model.down = true;
    const during = await sandbox.ingest('news');
    expect(during).to.include({ status: 'succeeded', inserted: 2, unchanged: 3 });
    expect(during.notes).to.deep.equal([
      'gist: 2 of 2 text(s) not summarised: the model answered 503 Service Unavailable',
    ]);
    expect((await gists()).slice(3)).to.deep.equal([
      { id: 'a3', gist: null },
      { id: 'a4', gist: null },
    ]);

    model.down = false;
    model.requests.length = 0;
    const after = await sandbox.ingest('news');
    expect(after).to.include({ status: 'succeeded', unchanged: 5 });
    // Only the two texts the outage left without a summary, each once; the given-up ones are not asked again.
    expect(model.requests.map((r) => r.text).sort()).to.deep.equal([
      'Muons decay slowly',
      'Neutrinos oscillate in flight',
    ]);
    expect(after.notes).to.deep.equal(['gist: filled the empty summary of 2 stored record(s)']);
    expect(await gists()).to.deep.equal([
      { id: 'a0', gist: 'Summary: Quarks meet gluons (4 words)' },
      { id: 'a1', gist: null },
      { id: 'a2', gist: null },
      { id: 'a3', gist: 'Summary: Neutrinos oscillate in (4 words)' },
      { id: 'a4', gist: 'Summary: Muons decay slowly (3 words)' },
    ]);

    model.requests.length = 0;
    expect(await sandbox.ingest('news')).to.deep.include({ status: 'succeeded', unchanged: 5, notes: [] });
    expect(model.requests).to.have.length(0);
  });
});

describe('the physics news feed (RSS) with its gists from the stand-in model', () => {
  let sandbox: Sandbox;
  let model: ChatStandIn;
  before(async () => {
    model = await ChatStandIn.start();
    sandbox = await Sandbox.create();
    await sandbox.write('model-key', 'sk-test-key');
    await sandbox.open({
      ODP_DATASETS: bundledDatasets,
      ODP_LLM_URL: model.url,
      ODP_LLM_KEY_FILE: path.join(sandbox.datasetsDir, 'model-key'),
    });
  });
  after(async () => {
    await sandbox.close();
    await model.stop();
  });

  it('summarises every article of the bundled feed once, and none again on an unchanged re-run', async () => {
    const run = await sandbox.ingest('physics');
    expect(run).to.include({ status: 'succeeded', inserted: 4, quarantined: 0 });
    expect(run.notes).to.deep.equal([]);
    expect(model.requests).to.have.length(4);
    const stored = await sandbox.query<{ gist: string }>('SELECT gist FROM lake.main.physics ORDER BY id');
    expect(stored.every((r) => r.gist.startsWith('Summary: '))).to.equal(true);
    expect(await sandbox.ingest('physics')).to.include({ status: 'succeeded', unchanged: 4 });
    expect(model.requests).to.have.length(4);
  });
});
