import { describe, expect, it } from "vitest";
import { readCourseFolder, readYaml } from "../../db/course-files.ts";
import { coursesDirectory, demoCourseFolders } from "../../db/seeds/demo-courses.ts";
import { type CourseFiles, parseCourseFiles } from "./course-files.ts";

// The YAML port is the `yaml` package (db/course-files.ts); tests may import across layers.

const courseYaml = `id: demo-course
title:
  zh: 演示课程
  en: Demo course
roles: [engineering]
validityMonths: 12
questionsPerAttempt: 2
`;

const questionsYaml = `questions:
  - id: q1
    type: single
    prompt: { zh: 问题一, en: Question one }
    options:
      - { zh: 对, en: Right, correct: true }
      - { zh: 错, en: Wrong }
  - id: q2
    type: true-false
    prompt: { zh: 问题二, en: Question two }
    answer: false
  - id: q3
    type: multiple
    prompt: { zh: 问题三, en: Question three }
    options:
      - { zh: 甲, en: A, correct: true }
      - { zh: 乙, en: B, correct: true }
      - { zh: 丙, en: C }
`;

function valid(): Record<string, string> {
  return {
    "course.yaml": courseYaml,
    "questions.yaml": questionsYaml,
    "lessons/01-intro.zh.md": "# 引言\n\n第一页。\n\n---\n\n第二页，**重点**。\n",
    "lessons/01-intro.en.md": "# Introduction\n\nPage one.\n\n---\n\nPage two, **key point**.\n",
  };
}

function problemsOf(files: CourseFiles) {
  const result = parseCourseFiles(files, readYaml);
  expect(result.course).toBeUndefined();
  return result.problems;
}

describe("course folders", () => {
  it("reads a valid folder with defaults, lessons in order and true/false options", () => {
    const files = {
      ...valid(),
      "lessons/02-more.zh.md": "# 更多\n\n内容\n",
      "lessons/02-more.en.md": "# More\n\nText\n",
    };
    const result = parseCourseFiles(files, readYaml);
    expect(result.problems).toEqual([]);
    const course = result.course;
    expect(course).toMatchObject({
      id: "demo-course",
      title: { "zh-CN": "演示课程", en: "Demo course" },
      roles: ["engineering"],
      passMark: 80,
      attemptLimit: 3,
      coolDownMinutes: 60,
      dueDays: 14,
    });
    expect(course?.lessons.map((l) => l.key)).toEqual(["01-intro", "02-more"]);
    expect(course?.lessons[0]?.pages.en).toEqual(["Page one.", "Page two, **key point**."]);
    expect(course?.questions[1]?.options.map((o) => [o.text.en, o.correct])).toEqual([
      ["True", false],
      ["False", true],
    ]);
  });

  it("names the file and line of a YAML syntax error", () => {
    const problems = problemsOf({ ...valid(), "course.yaml": `${courseYaml}roles: [a\n` });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: "course.yaml", line: 8 });
    expect(problems[0]?.message).toMatch(/^not valid YAML/);
  });

  it("names the line of a wrong value, an unknown field and a missing field", () => {
    const broken = courseYaml
      .replace("validityMonths: 12", "validityMonths: twelve")
      .replace("questionsPerAttempt: 2", "questionsPerAttempt: 2\ncolour: blue")
      .replace("  en: Demo course\n", "");
    const problems = problemsOf({ ...valid(), "course.yaml": broken });
    expect(problems).toEqual([
      { file: "course.yaml", line: 2, message: expect.stringContaining("title.en") },
      { file: "course.yaml", line: 5, message: expect.stringContaining("validityMonths") },
      { file: "course.yaml", line: 7, message: "colour: unknown field" },
    ]);
  });

  it("checks the pool: one correct answer for single choice, unique ids, a known type", () => {
    const pool = questionsYaml
      .replace("      - { zh: 错, en: Wrong }", "      - { zh: 错, en: Wrong, correct: true }")
      .replace("  - id: q3", "  - id: q1")
      .replace("    type: true-false", "    type: yes-no");
    const problems = problemsOf({ ...valid(), "questions.yaml": pool });
    expect(problems.map((p) => [p.file, p.line])).toEqual([["questions.yaml", 9]]);
    expect(problems[0]?.message).toContain("questions.1.type");
    const second = problemsOf({
      ...valid(),
      "questions.yaml": questionsYaml
        .replace("      - { zh: 错, en: Wrong }", "      - { zh: 错, en: Wrong, correct: true }")
        .replace("  - id: q3", "  - id: q1"),
    });
    expect(second).toEqual([
      {
        file: "questions.yaml",
        line: 5,
        message: expect.stringContaining("exactly one correct option (found 2)"),
      },
      { file: "questions.yaml", line: 12, message: "question id q1 is used twice (first on line 2)" },
    ]);
  });

  it("refuses more questions per attempt than the pool has", () => {
    const problems = problemsOf({
      ...valid(),
      "course.yaml": courseYaml.replace("questionsPerAttempt: 2", "questionsPerAttempt: 4"),
    });
    expect(problems).toEqual([{ file: "course.yaml", line: 7, message: expect.stringContaining("only 3") }]);
  });

  it("needs each lesson in both languages, paged alike, pages short enough for a card", () => {
    const files = valid();
    delete files["lessons/01-intro.en.md"];
    expect(problemsOf(files)).toEqual([
      {
        file: "lessons/01-intro.zh.md",
        line: 1,
        message: expect.stringContaining("01-intro.en.md is missing"),
      },
    ]);
    expect(
      problemsOf({ ...valid(), "lessons/01-intro.en.md": "# Introduction\n\nOnly one page.\n" }),
    ).toEqual([
      { file: "lessons/01-intro.en.md", line: 1, message: expect.stringContaining("has 1 page(s)") },
    ]);
    const long = `# Introduction\n\nPage one.\n\n---\n\n${"x".repeat(1300)}\n`;
    expect(problemsOf({ ...valid(), "lessons/01-intro.en.md": long })).toEqual([
      { file: "lessons/01-intro.en.md", line: 7, message: expect.stringContaining("1300 characters") },
    ]);
    expect(problemsOf({ ...valid(), "lessons/01-intro.en.md": "Intro without a title\n" })).toEqual([
      { file: "lessons/01-intro.en.md", line: 1, message: "a lesson starts with a `# Title` line" },
    ]);
  });

  it("reports missing files, stray files and paths outside the folder", () => {
    const files = valid();
    delete files["questions.yaml"];
    const problems = problemsOf({ ...files, "../secret.yaml": "x", "notes.txt": "x" });
    expect(problems.map((p) => p.file)).toEqual(["../secret.yaml", "notes.txt", "questions.yaml"]);
    expect(problems.map((p) => p.message)).toEqual([
      "not a relative path inside the course folder",
      expect.stringContaining("not part of a course"),
      "this file is missing",
    ]);
  });
});

describe("the demo courses", () => {
  it.each(demoCourseFolders)(
    "%s is valid, with at least 4 lessons and 12 questions in zh and en",
    async (folder) => {
      const result = parseCourseFiles(await readCourseFolder(`${coursesDirectory}${folder}`), readYaml);
      expect(result.problems).toEqual([]);
      const course = result.course;
      expect(course?.lessons.length).toBeGreaterThanOrEqual(4);
      expect(course?.questions.length).toBeGreaterThanOrEqual(12);
      expect(new Set(course?.questions.map((q) => q.type))).toEqual(
        new Set(["single", "multiple", "true-false"]),
      );
      for (const question of course?.questions ?? []) {
        expect(question.prompt["zh-CN"]).toMatch(/[\u4e00-\u9fff]/);
        expect(question.prompt.en).toMatch(/^[\x20-\x7e\u2018-\u201d–—]+$/);
      }
    },
  );

  it("each demo role has its course", async () => {
    const roles = [];
    for (const folder of demoCourseFolders) {
      const result = parseCourseFiles(await readCourseFolder(`${coursesDirectory}${folder}`), readYaml);
      roles.push(...(result.course?.roles ?? []));
    }
    expect(roles.sort()).toEqual(["admin", "engineering", "sales"]);
  });
});
