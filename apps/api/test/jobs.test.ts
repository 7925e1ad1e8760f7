import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { enqueueJobs, Jobs } from "../src/infra/jobs.js";
import { createLogger } from "../src/infra/logger.js";
import { createTestDatabase, type TestDatabase } from "./support/database.js";
import { waitFor } from "./support/wait.js";

// The job runner when recording a finished job fails: graphile-worker's pool stops on such a failure, and
// its jobs (and their named queues) stayed locked by the stopped pool for 4 hours.

let database: TestDatabase;

before(async () => {
  database = await createTestDatabase();
  // Completing a job deletes its row: this trigger makes the first deletion of a job keyed
  // `fail-once:<SQLSTATE>:<sequence>` fail with that SQLSTATE. The sequence counts attempts outside the
  // transaction that the error rolls back.
  await database.db.$executeRawUnsafe(`
    CREATE FUNCTION fail_completion_once() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE parts text[] := string_to_array(OLD.key, ':');
    BEGIN
      IF parts[1] = 'fail-once' AND nextval(parts[3]) = 1 THEN
        RAISE EXCEPTION 'completing job % fails on purpose', OLD.id USING ERRCODE = parts[2];
      END IF;
      RETURN OLD;
    END $$`);
  await database.db.$executeRawUnsafe(`
    CREATE TRIGGER fail_completion_once BEFORE DELETE ON graphile_worker._private_jobs
    FOR EACH ROW EXECUTE FUNCTION fail_completion_once()`);
});

after(async () => {
  await database.dispose();
});

/**
 * A Jobs runner that records each run, a key whose job's first completion fails with `sqlstate`, and a
 * queue of the test's own.
 */
async function jobFailingToComplete(sqlstate: string) {
  const sequence = `attempts_${randomUUID().replaceAll("-", "")}`;
  await database.db.$executeRawUnsafe(`CREATE SEQUENCE ${sequence}`);
  const runs: string[] = [];
  const jobs = new Jobs(database.db, createLogger(process.env.JOBS_TEST_LOG ?? "silent"), {
    databaseUrl: database.url,
    concurrency: 2,
    pollIntervalMs: 100,
    staleWorkerMs: 30_000,
  });
  jobs.register("record", async (payload) => {
    runs.push((payload as { name: string }).name);
  });
  await jobs.start();
  const add = (name: string, jobKey?: string) =>
    database.db.$transaction((tx) =>
      enqueueJobs(tx, [{ task: "record", payload: { name }, queueName: sequence, jobKey }]),
    );
  const allCompleted = async () =>
    (
      await database.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE queue_name = ${sequence}`
    )[0]?.n === 0;
  const lockedJobs = async () =>
    (
      await database.db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE queue_name = ${sequence} AND locked_by IS NOT NULL`
    )[0]?.n;
  return { jobs, runs, add, allCompleted, lockedJobs, jobKey: `fail-once:${sqlstate}:${sequence}` };
}

test("a job whose completion fails runs again when the workers restart, and its queue moves on", async () => {
  const { jobs, runs, add, allCompleted, jobKey } = await jobFailingToComplete("P0001");
  try {
    await add("first", jobKey);
    await waitFor("the job to run", () => runs.length === 1);
    // The pool stops when it cannot record the job as done; it restarts 2 s later.
    await add("second");
    await waitFor(
      "the unrecorded job to run again and the queue behind it to move on",
      () => runs.length === 3,
      10_000,
    );
    assert.deepEqual(runs, ["first", "first", "second"], "in the queue's order");
    await waitFor("every job to be recorded as done", allCompleted);
  } finally {
    await jobs.stop();
  }
});

test("a deadlock while recording finished jobs is retried: the workers keep running, no job runs twice", async () => {
  const { jobs, runs, add, allCompleted, jobKey } = await jobFailingToComplete("40P01");
  try {
    await add("first", jobKey);
    await add("second");
    await waitFor("both jobs to run", () => runs.length === 2);
    await waitFor("both jobs to be recorded as done", allCompleted);
    await sleep(3_000);
    assert.deepEqual(runs, ["first", "second"], "no job ran again: the pool never stopped");
  } finally {
    await jobs.stop();
  }
});

test("an instance stopping before its failed pool restarts unlocks that pool's jobs", async () => {
  const { jobs, runs, add, lockedJobs, jobKey } = await jobFailingToComplete("P0001");
  try {
    await add("first", jobKey);
    await waitFor("the job to run", () => runs.length === 1);
    // The pool stops at once when it cannot record the job; the restart would come 2 s later.
    await sleep(500);
  } finally {
    await jobs.stop();
  }
  assert.equal(await lockedJobs(), 0, "no job left locked by the stopped instance");
});
