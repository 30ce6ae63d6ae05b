import { z } from "zod";
import { translate } from "../messages/index.ts";
import { type CourseDefinition, courseLimits, type Lesson, type Localized, type Question } from "./course.ts";
import { splitLesson } from "./lesson-text.ts";

/**
 * A course is a folder: `course.yaml` (settings), `questions.yaml` (the pool) and
 * `lessons/NN-name.zh.md` + `lessons/NN-name.en.md` (each lesson in both languages). This module
 * checks such a folder, given as path → text, and reports every problem with its file and line.
 */
export type CourseFiles = Readonly<Record<string, string>>;
export type CourseProblem = { file: string; line: number; message: string };

/** A parsed YAML document that knows where its values are. */
export type YamlDocument = {
  value: unknown;
  /** The 1-based line of the value at `path`, or of the nearest ancestor that exists. */
  lineOf(path: readonly PropertyKey[]): number;
};

/** The YAML parser is a port: core stays free of parsing libraries (the adapter uses `yaml`). */
export type YamlReader = (
  text: string,
) => { ok: true; document: YamlDocument } | { ok: false; line: number; message: string };

export const courseFileNames = { course: "course.yaml", questions: "questions.yaml" } as const;
const lessonFile = /^lessons\/([^/]+)\.(zh|en)\.md$/;
const maxFiles = 2 * courseLimits.maxLessons + 2;

const text = (max: number) => z.string().trim().min(1, "must not be empty").max(max);
const localizedText = (max: number) =>
  z
    .object({ zh: text(max), en: text(max) })
    .strict()
    .transform((v): Localized => ({ "zh-CN": v.zh, en: v.en }));

const courseSchema = z
  .object({
    id: z.string().regex(courseLimits.idPattern, "must be lower-case letters, digits and -, 2–63 long"),
    title: localizedText(courseLimits.maxTitleCharacters),
    summary: localizedText(500).optional(),
    roles: z
      .array(z.string().regex(courseLimits.rolePattern, "must be a role name such as engineering"))
      .min(1, "name at least one role")
      .max(20),
    validityMonths: z.number().int().min(1).max(120),
    passMark: z.number().int().min(1).max(100).default(80),
    attemptLimit: z.number().int().min(1).max(20).default(3),
    coolDownMinutes: z
      .number()
      .int()
      .min(0)
      .max(7 * 24 * 60)
      .default(60),
    questionsPerAttempt: z.number().int().min(1).max(100),
    dueDays: z.number().int().min(1).max(365).default(14),
  })
  .strict();

const option = z
  .object({
    zh: text(courseLimits.maxPromptCharacters),
    en: text(courseLimits.maxPromptCharacters),
    correct: z.boolean().optional(),
  })
  .strict();

const questionId = z
  .string()
  .regex(courseLimits.questionIdPattern, "must be letters, digits, '.', '_' or '-', up to 40");
const prompt = localizedText(courseLimits.maxPromptCharacters);
const explanation = localizedText(courseLimits.maxPromptCharacters).optional();
const options = z.array(option).min(courseLimits.minOptions).max(courseLimits.maxOptions);

const questionSchema = z.discriminatedUnion("type", [
  z.object({ id: questionId, type: z.literal("single"), prompt, options, explanation }).strict(),
  z.object({ id: questionId, type: z.literal("multiple"), prompt, options, explanation }).strict(),
  z
    .object({ id: questionId, type: z.literal("true-false"), prompt, answer: z.boolean(), explanation })
    .strict(),
]);

const questionsSchema = z
  .object({ questions: z.array(questionSchema).min(1).max(courseLimits.maxQuestions) })
  .strict();

function bothLanguages(key: "training.answer.true" | "training.answer.false"): Localized {
  return { "zh-CN": translate("zh-CN", key), en: translate("en", key) };
}

/** Reads a YAML file against a schema; problems carry the file's line numbers. */
function readYamlFile<S extends z.ZodType>(
  file: string,
  source: string,
  schema: S,
  readYaml: YamlReader,
  problems: CourseProblem[],
): { value: z.output<S>; document: YamlDocument } | undefined {
  const parsed = readYaml(source);
  if (!parsed.ok) {
    problems.push({ file, line: parsed.line, message: `not valid YAML: ${parsed.message}` });
    return undefined;
  }
  const result = schema.safeParse(parsed.document.value);
  if (result.success) return { value: result.data, document: parsed.document };
  for (const issue of result.error.issues) {
    const path = issue.path;
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({
          file,
          line: parsed.document.lineOf([...path, key]),
          message: `${[...path, key].join(".")}: unknown field`,
        });
      }
      continue;
    }
    const where = path.length ? `${path.join(".")}: ` : "";
    problems.push({ file, line: parsed.document.lineOf(path), message: `${where}${issue.message}` });
  }
  return undefined;
}

function toQuestion(raw: z.output<typeof questionSchema>): Question {
  const base = {
    id: raw.id,
    type: raw.type,
    prompt: raw.prompt,
    ...(raw.explanation ? { explanation: raw.explanation } : {}),
  };
  if (raw.type === "true-false") {
    return {
      ...base,
      options: [
        { text: bothLanguages("training.answer.true"), correct: raw.answer },
        { text: bothLanguages("training.answer.false"), correct: !raw.answer },
      ],
    };
  }
  return {
    ...base,
    options: raw.options.map((o) => ({ text: { "zh-CN": o.zh, en: o.en }, correct: o.correct === true })),
  };
}

function checkQuestions(
  questions: z.output<typeof questionsSchema>["questions"],
  document: YamlDocument,
  problems: CourseProblem[],
): void {
  const file = courseFileNames.questions;
  const seen = new Map<string, number>();
  questions.forEach((q, index) => {
    const line = document.lineOf(["questions", index, "id"]);
    const first = seen.get(q.id);
    if (first !== undefined) {
      problems.push({ file, line, message: `question id ${q.id} is used twice (first on line ${first})` });
    } else {
      seen.set(q.id, line);
    }
    if (q.type === "true-false") return;
    const correct = q.options.filter((o) => o.correct === true).length;
    const where = document.lineOf(["questions", index, "options"]);
    if (q.type === "single" && correct !== 1) {
      problems.push({
        file,
        line: where,
        message: `question ${q.id}: a single-choice question has exactly one correct option (found ${correct})`,
      });
    }
    if (q.type === "multiple" && correct < 1) {
      problems.push({
        file,
        line: where,
        message: `question ${q.id}: a multiple-choice question has at least one correct option`,
      });
    }
    const texts = new Set<string>();
    q.options.forEach((o, i) => {
      const key = `${o.zh}\u0000${o.en}`;
      if (texts.has(key)) {
        problems.push({
          file,
          line: document.lineOf(["questions", index, "options", i]),
          message: `question ${q.id}: option ${i + 1} repeats an earlier option`,
        });
      }
      texts.add(key);
    });
  });
}

function readLessons(files: CourseFiles, problems: CourseProblem[]): Lesson[] {
  const byKey = new Map<string, { zh?: string; en?: string }>();
  for (const path of Object.keys(files)) {
    const match = lessonFile.exec(path);
    if (!match) continue;
    const [, key = "", language] = match;
    if (!courseLimits.lessonKeyPattern.test(key)) {
      problems.push({
        file: path,
        line: 1,
        message: "a lesson file is named NN-name.zh.md or NN-name.en.md (NN: two digits giving the order)",
      });
      continue;
    }
    const entry = byKey.get(key) ?? {};
    entry[language as "zh" | "en"] = path;
    byKey.set(key, entry);
  }
  if (byKey.size === 0) {
    problems.push({
      file: "lessons/",
      line: 1,
      message: "a course has at least one lesson (lessons/NN-name.zh.md and lessons/NN-name.en.md)",
    });
  }
  if (byKey.size > courseLimits.maxLessons) {
    problems.push({ file: "lessons/", line: 1, message: `at most ${courseLimits.maxLessons} lessons` });
  }
  const lessons: Lesson[] = [];
  for (const key of [...byKey.keys()].sort()) {
    const entry = byKey.get(key) ?? {};
    if (!entry.zh || !entry.en) {
      const present = (entry.zh ?? entry.en) as string;
      const missing = `lessons/${key}.${entry.zh ? "en" : "zh"}.md`;
      problems.push({
        file: present,
        line: 1,
        message: `${missing} is missing: every lesson is written in Chinese and English`,
      });
      continue;
    }
    const zh = readLesson(entry.zh, files[entry.zh] ?? "", problems);
    const en = readLesson(entry.en, files[entry.en] ?? "", problems);
    if (!zh || !en) continue;
    if (zh.pages.length !== en.pages.length) {
      problems.push({
        file: entry.en,
        line: en.titleLine,
        message: `has ${en.pages.length} page(s) but ${entry.zh} has ${zh.pages.length}; the languages must page alike`,
      });
      continue;
    }
    lessons.push({
      key,
      title: { "zh-CN": zh.title, en: en.title },
      pages: { "zh-CN": zh.pages, en: en.pages },
    });
  }
  return lessons;
}

function readLesson(
  file: string,
  source: string,
  problems: CourseProblem[],
): { title: string; titleLine: number; pages: string[] } | undefined {
  const { lesson, problems: found } = splitLesson(source);
  for (const p of found) problems.push({ file, ...p });
  if (!lesson || found.length) return undefined;
  let ok = true;
  if (lesson.title.length > courseLimits.maxTitleCharacters) {
    problems.push({ file, line: lesson.titleLine, message: "the title is too long" });
    ok = false;
  }
  if (lesson.pages.length > courseLimits.maxPagesPerLesson) {
    problems.push({
      file,
      line: lesson.pages[courseLimits.maxPagesPerLesson]?.line ?? 1,
      message: `at most ${courseLimits.maxPagesPerLesson} pages per lesson`,
    });
    ok = false;
  }
  for (const page of lesson.pages) {
    const length = Array.from(page.text).length;
    if (length > courseLimits.maxPageCharacters) {
      problems.push({
        file,
        line: page.line,
        message: `this page has ${length} characters; a page fits a chat card at ${courseLimits.maxPageCharacters} at most (split it with a line holding only ---)`,
      });
      ok = false;
    }
  }
  return ok
    ? { title: lesson.title, titleLine: lesson.titleLine, pages: lesson.pages.map((p) => p.text) }
    : undefined;
}

function isSafePath(path: string): boolean {
  return (
    path.length > 0 &&
    path.length <= 200 &&
    !path.startsWith("/") &&
    !path.includes("\\") &&
    path.split("/").every((part) => part !== "" && part !== "." && part !== "..")
  );
}

/** Checks a course folder; returns the course, or every problem found (sorted by file and line). */
export function parseCourseFiles(
  files: CourseFiles,
  readYaml: YamlReader,
): { course: CourseDefinition; problems: [] } | { course?: undefined; problems: CourseProblem[] } {
  const problems: CourseProblem[] = [];
  const paths = Object.keys(files);
  if (paths.length > maxFiles) {
    problems.push({ file: ".", line: 1, message: `a course has at most ${maxFiles} files` });
  }
  for (const path of paths) {
    if (!isSafePath(path)) {
      problems.push({
        file: path.slice(0, 200),
        line: 1,
        message: "not a relative path inside the course folder",
      });
    } else if (
      path !== courseFileNames.course &&
      path !== courseFileNames.questions &&
      !lessonFile.test(path)
    ) {
      problems.push({
        file: path,
        line: 1,
        message: "not part of a course (course.yaml, questions.yaml and lessons/NN-name.zh.md / .en.md)",
      });
    }
  }
  for (const name of Object.values(courseFileNames)) {
    if (files[name] === undefined) problems.push({ file: name, line: 1, message: "this file is missing" });
  }
  const courseSource = files[courseFileNames.course];
  const poolSource = files[courseFileNames.questions];
  const settings =
    courseSource === undefined
      ? undefined
      : readYamlFile(courseFileNames.course, courseSource, courseSchema, readYaml, problems);
  const pool =
    poolSource === undefined
      ? undefined
      : readYamlFile(courseFileNames.questions, poolSource, questionsSchema, readYaml, problems);
  if (pool) checkQuestions(pool.value.questions, pool.document, problems);
  if (settings && pool && settings.value.questionsPerAttempt > pool.value.questions.length) {
    problems.push({
      file: courseFileNames.course,
      line: settings.document.lineOf(["questionsPerAttempt"]),
      message: `questionsPerAttempt is ${settings.value.questionsPerAttempt} but questions.yaml has only ${pool.value.questions.length} question(s)`,
    });
  }
  const lessons = readLessons(files, problems);
  if (problems.length > 0 || !settings || !pool) {
    return {
      problems: problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line),
    };
  }
  const s = settings.value;
  return {
    course: {
      id: s.id,
      title: s.title,
      ...(s.summary ? { summary: s.summary } : {}),
      roles: [...new Set(s.roles)].sort(),
      validityMonths: s.validityMonths,
      passMark: s.passMark,
      attemptLimit: s.attemptLimit,
      coolDownMinutes: s.coolDownMinutes,
      questionsPerAttempt: s.questionsPerAttempt,
      dueDays: s.dueDays,
      lessons,
      questions: pool.value.questions.map(toQuestion),
    },
    problems: [],
  };
}
