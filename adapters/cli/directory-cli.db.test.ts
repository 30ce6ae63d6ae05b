import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { baton, type Env, installation, json } from "../../test/helpers/cli.ts";

describe("baton import employees, login-link, verify --audit", () => {
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
    expect(body.length + body.pending).toBeGreaterThan(0);
  });
});
