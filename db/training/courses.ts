import canonicalize from "canonicalize";
import { and, eq, sql } from "drizzle-orm";
import { sha256Hex } from "../../core/audit/chain.ts";
import { AppError } from "../../core/errors.ts";
import type { CourseDefinition } from "../../core/training/course.ts";
import type { Db } from "../client.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { courses, courseVersions } from "../schema/index.ts";

export type StoredCourse = {
  courseId: string;
  version: number;
  contentHash: string;
  definition: CourseDefinition;
  importedAt: Date;
};

/** SHA-256 of the RFC 8785 JSON of a course definition: equal content, equal hash. */
export async function courseContentHash(definition: CourseDefinition): Promise<string> {
  const text = canonicalize(definition);
  if (text === undefined) throw new TypeError("the course does not serialise to JSON");
  return sha256Hex(text);
}

export type ImportOutcome = { courseId: string; version: number; contentHash: string; created: boolean };

/**
 * Imports a checked course inside the caller's transaction: the first import is version 1; an
 * import whose content differs from the latest version adds the next version; the same content
 * again changes nothing. Versions are never changed afterwards.
 */
export async function importCourse(
  tx: Db,
  definition: CourseDefinition,
  actor: string,
  now: Date,
): Promise<ImportOutcome> {
  const contentHash = await courseContentHash(definition);
  await tx
    .insert(courses)
    .values({ id: definition.id, latestVersion: 0, createdAt: now, updatedAt: now })
    .onConflictDoNothing();
  // Serialises imports of the same course: the second waits here and then sees the first.
  const [course] = await tx.select().from(courses).where(eq(courses.id, definition.id)).for("update");
  if (!course) throw new Error("course row vanished");
  if (course.latestVersion > 0) {
    const [latest] = await tx
      .select({ contentHash: courseVersions.contentHash })
      .from(courseVersions)
      .where(
        and(eq(courseVersions.courseId, definition.id), eq(courseVersions.version, course.latestVersion)),
      );
    if (latest?.contentHash === contentHash) {
      return { courseId: definition.id, version: course.latestVersion, contentHash, created: false };
    }
  }
  const version = course.latestVersion + 1;
  await tx.insert(courseVersions).values({
    courseId: definition.id,
    version,
    contentHash,
    definition,
    roles: definition.roles,
    importedBy: actor,
    importedAt: now,
  });
  await tx
    .update(courses)
    .set({ latestVersion: version, updatedAt: now })
    .where(eq(courses.id, definition.id));
  await recordEvidence(tx, {
    at: now,
    actor,
    action: "training.course.imported",
    subject: `course:${definition.id}`,
    data: {
      courseId: definition.id,
      courseVersion: version,
      contentHash,
      lessons: definition.lessons.length,
      questions: definition.questions.length,
    },
  });
  return { courseId: definition.id, version, contentHash, created: true };
}

function stored(row: typeof courseVersions.$inferSelect): StoredCourse {
  return {
    courseId: row.courseId,
    version: row.version,
    contentHash: row.contentHash,
    definition: row.definition,
    importedAt: row.importedAt,
  };
}

export async function courseVersion(db: Db, courseId: string, version: number): Promise<StoredCourse> {
  const [row] = await db
    .select()
    .from(courseVersions)
    .where(and(eq(courseVersions.courseId, courseId), eq(courseVersions.version, version)));
  if (!row) throw new AppError("not_found", `Course ${courseId} has no version ${version}.`);
  return stored(row);
}

/** The latest version of every course (or of one). */
export async function latestCourses(db: Db, courseId?: string): Promise<StoredCourse[]> {
  const rows = await db
    .select({ version: courseVersions })
    .from(courseVersions)
    .innerJoin(
      courses,
      and(eq(courses.id, courseVersions.courseId), eq(courses.latestVersion, courseVersions.version)),
    )
    .where(courseId === undefined ? undefined : eq(courses.id, courseId))
    .orderBy(courses.id);
  return rows.map((r) => stored(r.version));
}

export async function latestCourse(db: Db, courseId: string): Promise<StoredCourse> {
  const [course] = await latestCourses(db, courseId);
  if (!course) throw new AppError("not_found", `There is no course ${courseId}.`);
  return course;
}

/** The latest versions of the courses that a role requires. */
export async function coursesForRole(db: Db, role: string): Promise<StoredCourse[]> {
  const rows = await db
    .select({ version: courseVersions })
    .from(courseVersions)
    .innerJoin(
      courses,
      and(eq(courses.id, courseVersions.courseId), eq(courses.latestVersion, courseVersions.version)),
    )
    .where(sql`${courseVersions.roles} @> ${JSON.stringify([role])}::jsonb`)
    .orderBy(courses.id);
  return rows.map((r) => stored(r.version));
}

/** Every version of a course, oldest first, without their content. */
export async function courseHistory(db: Db, courseId: string) {
  const rows = await db
    .select({
      version: courseVersions.version,
      contentHash: courseVersions.contentHash,
      importedBy: courseVersions.importedBy,
      importedAt: courseVersions.importedAt,
    })
    .from(courseVersions)
    .where(eq(courseVersions.courseId, courseId))
    .orderBy(courseVersions.version);
  return rows.map((r) => ({ ...r, importedAt: r.importedAt.toISOString() }));
}
