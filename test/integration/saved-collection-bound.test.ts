import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SAVED_LIMITS } from '../../src/core/limits/saved-limits.js';
import { callJson, startTestWaggle } from '../support/waggle-test-server.js';

type Waggle = Awaited<ReturnType<typeof startTestWaggle>>;

const BOUND = SAVED_LIMITS.collectionBytes.value;

describe('saved collections bounded in bytes (issue 9: peak RSS ≤ 1 GiB)', () => {
  let waggle: Waggle;
  before(async () => {
    waggle = await startTestWaggle();
  });
  after(async () => {
    await waggle.stop();
  });

  it('refuses a board that would take the boards past saved.collectionBytes with 409, keeps the others, and takes one again after a delete', async () => {
    // 25 text panels of 10 000 characters: ~250 KB a board, within the 256 KiB body.
    const board = { name: 'wide', panels: Array.from({ length: 25 }, (_, i) => ({ type: 'text', text_panel: { content: String(i).padEnd(10_000, 'x') } })) };
    const created: string[] = [];
    let refused: { status: number; body: { error: string } } | null = null;
    for (let i = 0; i < 200 && refused === null; i++) {
      const answer = await callJson(waggle, 'POST', '/1/boards', board);
      if (answer.status === 201) created.push(answer.body.id as string);
      else refused = answer;
    }
    assert.ok(refused !== null, 'a board was refused');
    assert.equal(refused.status, 409);
    assert.match(refused.body.error, new RegExp(`^the saved boards would take \\d+ bytes of JSON, more than Waggle keeps of them \\(saved\\.collectionBytes: ${BOUND}\\); delete some first$`));
    const listed = await callJson(waggle, 'GET', '/1/boards');
    assert.equal(listed.body.length, created.length);
    // Kept up to the bound, one more board past it.
    const listedChars = JSON.stringify(listed.body).length;
    assert.ok(listedChars <= BOUND && listedChars + JSON.stringify(listed.body[0]).length > BOUND, `${created.length} boards, ${listedChars} characters`);
    assert.equal((await callJson(waggle, 'DELETE', `/1/boards/${created[0]}`)).status, 204);
    assert.equal((await callJson(waggle, 'POST', '/1/boards', board)).status, 201);
  });
});
