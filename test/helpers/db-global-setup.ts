import postgres from "postgres";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Drops the per-worker databases that PostgreSQL test runs create (`baton_t_<pid>_<random>`)
 * whose creating process is gone, so runs going at the same time keep their own.
 */
async function dropTestDatabases(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<
      { datname: string }[]
    >`select datname from pg_database where datname like 'baton\\_t\\_%'`;
    for (const { datname } of rows) {
      const pid = Number(datname.split("_")[2]);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue;
      await sql.unsafe(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await sql.end({ timeout: 5 });
  }
}

export async function setup(): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return async () => {};
  await dropTestDatabases(url);
  return () => dropTestDatabases(url);
}
