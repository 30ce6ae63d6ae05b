import { sql } from "drizzle-orm";
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import type { AssignmentStatus } from "../../core/training/attempts.ts";
import type { CourseDefinition } from "../../core/training/course.ts";
import type { Answers, Paper } from "../../core/training/quiz.ts";
import { createdAt } from "./columns.ts";
import { employees } from "./directory.ts";

export type AssignmentReason = "role" | "offboarding" | "recertification" | "manual";

/** A course and its latest version; each import of changed content adds a version. */
export const courses = pgTable("courses", {
  id: text("id").primaryKey(),
  latestVersion: integer("latest_version").notNull(),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/** The content of one version, fixed once imported; attempts name the version they were taken on. */
export const courseVersions = pgTable(
  "course_versions",
  {
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id),
    version: integer("version").notNull(),
    /** SHA-256 of the RFC 8785 JSON of the definition. */
    contentHash: text("content_hash").notNull(),
    definition: jsonb("definition").$type<CourseDefinition>().notNull(),
    roles: jsonb("roles").$type<string[]>().notNull(),
    importedBy: text("imported_by").notNull(),
    importedAt: timestamp("imported_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.courseId, t.version] })],
);

export const trainingAssignments = pgTable(
  "training_assignments",
  {
    id: text("id").primaryKey(),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    courseId: text("course_id")
      .notNull()
      .references(() => courses.id),
    reason: text("reason").$type<AssignmentReason>().notNull(),
    /** The offboarding case that asked for it (the check step's gate). */
    caseId: text("case_id"),
    /** The certificate this assignment renews. */
    renewsCertificateId: text("renews_certificate_id"),
    status: text("status").$type<AssignmentStatus>().notNull().default("open"),
    dueDate: date("due_date", { mode: "string" }).notNull(),
    assignedBy: text("assigned_by").notNull(),
    assignedAt: timestamp("assigned_at", { withTimezone: true, mode: "date" }).notNull(),
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    // One open assignment per employee and course, however many ticks or requests race to add it.
    uniqueIndex("training_assignments_open_unique")
      .on(t.employeeId, t.courseId)
      .where(sql`${t.status} = 'open'`),
    uniqueIndex("training_assignments_renews_unique").on(t.renewsCertificateId),
    index("training_assignments_employee_idx").on(t.employeeId),
    index("training_assignments_open_due_idx").on(t.dueDate).where(sql`${t.status} = 'open'`),
  ],
);

/** Lesson progress per assignment: when each lesson was opened and when its last page was read. */
export const lessonProgress = pgTable(
  "training_lesson_progress",
  {
    assignmentId: text("assignment_id")
      .notNull()
      .references(() => trainingAssignments.id),
    lesson: integer("lesson").notNull(),
    courseVersion: integer("course_version").notNull(),
    openedAt: timestamp("opened_at", { withTimezone: true, mode: "date" }).notNull(),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true, mode: "date" }).notNull(),
    pagesRead: jsonb("pages_read").$type<number[]>().notNull().default([]),
    completedAt: timestamp("completed_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [primaryKey({ columns: [t.assignmentId, t.lesson] })],
);

export const trainingAttempts = pgTable(
  "training_attempts",
  {
    id: text("id").primaryKey(),
    assignmentId: text("assignment_id")
      .notNull()
      .references(() => trainingAssignments.id),
    number: integer("number").notNull(),
    courseId: text("course_id").notNull(),
    courseVersion: integer("course_version").notNull(),
    seed: bigint("seed", { mode: "number" }).notNull(),
    paper: jsonb("paper").$type<Paper>().notNull(),
    answers: jsonb("answers").$type<Answers>().notNull().default({}),
    startedAt: timestamp("started_at", { withTimezone: true, mode: "date" }).notNull(),
    submittedAt: timestamp("submitted_at", { withTimezone: true, mode: "date" }),
    correct: integer("correct"),
    total: integer("total"),
    score: integer("score"),
    passed: boolean("passed"),
  },
  (t) => [
    uniqueIndex("training_attempts_number_unique").on(t.assignmentId, t.number),
    // One attempt in progress per assignment: a double "start" resumes, never adds a second.
    uniqueIndex("training_attempts_open_unique").on(t.assignmentId).where(sql`${t.submittedAt} is null`),
  ],
);

/** A passed course: the signed certificate, its verification page and how long it is valid. */
export const trainingCertificates = pgTable(
  "training_certificates",
  {
    id: text("id").primaryKey(),
    assignmentId: text("assignment_id")
      .notNull()
      .unique()
      .references(() => trainingAssignments.id),
    attemptId: text("attempt_id")
      .notNull()
      .references(() => trainingAttempts.id),
    employeeId: text("employee_id")
      .notNull()
      .references(() => employees.id),
    courseId: text("course_id").notNull(),
    courseVersion: integer("course_version").notNull(),
    issuedAt: timestamp("issued_at", { withTimezone: true, mode: "date" }).notNull(),
    validThrough: date("valid_through", { mode: "string" }).notNull(),
    jws: text("jws").notNull(),
    kid: text("kid").notNull(),
    verificationId: text("verification_id").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    index("training_certificates_employee_idx").on(t.employeeId, t.courseId),
    index("training_certificates_valid_through_idx").on(t.validThrough),
  ],
);
