import { writeFile } from "node:fs/promises";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../db/client.ts";
import { baton, type Env, installation, json } from "../../test/helpers/cli.ts";
import { onPostgres } from "../../test/helpers/db.ts";

describe("baton import employees, login-link, calendar, verify --audit", () => {
  let env: Env;
  let dir: string;
  beforeAll(async () => {
    env = await installation();
    dir = path.dirname(env.BATON_DATA_DIR as string);
  });

  it("imports nothing from a file with bad rows, naming each line", async () => {
    const file = path.join(dir, "bad.csv");
    await writeFile(
      file,
      "externalId,name,hireDate,managerExternalId\nA1,Good,2024-01-01,\nA2,,2024-01-01,\nA3,Bad,2024-02-30,\nA4,Orphan,,NOPE\n",
    );
    const result = await baton(["import", "employees", file], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nothing was imported/);
    expect(result.stderr).toMatch(/line 3 \(A2\): name/);
    expect(result.stderr).toMatch(/line 4 \(A3\): hireDate/);
    const missing = await baton(["import", "employees", path.join(dir, "nope.csv")], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/No file at/);
  });

  it("imports a good file, makes a login link, and the evidence chain verifies", async () => {
    const file = path.join(dir, "good.csv");
    await writeFile(file, "externalId,name,managerExternalId,functions\nB2,Report,B1,\nB1,Boss,,hr\n");
    const imported = await baton(["import", "employees", file, "--json"], env);
    expect(json(imported)).toEqual({ rows: 2, created: 2, updated: 0, unchanged: 0 });
    expect(imported.stderr).toMatch(/\[1\/\d\] read .*good\.csv \(2 data rows\)/);

    const link = await baton(["login-link", "B2", "--ttl", "60"], env);
    expect(link.code, link.stderr).toBe(0);
    expect(link.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:8787\/a\/[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await baton(["login-link", "NOBODY"], env)).stderr).toMatch(/No employee has the id NOBODY/);
    expect((await baton(["login-link", "B2", "--ttl", "0"], env)).code).toBe(2);

    const audit = await baton(["verify", "--audit", "--json"], env);
    const body = json<{ ok: boolean; length: number; pending: number }>(audit);
    expect(body.ok).toBe(true);
    expect(body.length).toBeGreaterThanOrEqual(2);
    expect(body.pending).toBe(0);
  });

  it("sets, confirms and reports the calendar", async () => {
    const status = await baton(["calendar", "status"], env);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/PROVISIONAL/);
    const set = await baton(
      ["calendar", "set", "2027-02-09", "rest", "--reason", "Spring Festival block"],
      env,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toMatch(/CN 2027-02-09 is now a rest day/);
    expect((await baton(["calendar", "set", "2027-02-31", "rest", "--reason", "x"], env)).code).toBe(1);
    expect((await baton(["calendar", "set", "2027-02-09", "holiday", "--reason", "x"], env)).code).toBe(2);
    const confirmed = await baton(["calendar", "confirm", "2027", "--basis", "State Council notice"], env);
    expect(confirmed.code, confirmed.stderr).toBe(0);
    expect(confirmed.stdout).toMatch(/2027 is confirmed \(1 overrides entered\)/);
    expect((await baton(["calendar", "status", "--json"], env)).stdout).toMatch(/"status": "confirmed"/);
  });

  it("names the first broken entry after a row is edited in the database", async () => {
    const database = onPostgres
      ? await openDatabase({ kind: "postgres", url: env.DATABASE_URL as string, max: 1 })
      : await openDatabase({ kind: "pglite", dataDir: env.BATON_DATA_DIR as string });
    try {
      await database.query(
        sql`update evidence_entries set actor = 'employee:forged' where id = (select entry_id from evidence_chain where seq = 2)`,
      );
    } finally {
      await database.close();
    }
    const audit = await baton(["verify", "--audit"], env);
    expect(audit.code).toBe(1);
    expect(audit.stderr).toMatch(/BROKEN at entry #2 \([0-9a-f-]{36}\): hash mismatch/);
  });

  it("lints offline, ticks, and lists cases and channels", async () => {
    const bad = await baton(["lint", "test/fixtures/lint/bad-penalties.en.md"], {});
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/Art\. 25/);
    expect((await baton(["lint", "test/fixtures/lint/good-offboarding-policy.en.md"], {})).code).toBe(0);
    const tick = await baton(["tick", "--json"], env);
    expect(tick.code, tick.stderr).toBe(0);
    expect(await baton(["cases", "--json"], env)).toMatchObject({ code: 0 });
    const bind = await baton(["channels", "bind", "web", "hr-room", "--purpose", "hr", "--json"], env);
    expect(bind.code, bind.stderr).toBe(0);
    expect((await baton(["channels", "list"], env)).stdout).toMatch(/hr-room/);
  });
});
