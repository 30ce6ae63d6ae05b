import { fileURLToPath } from "node:url";
import { parseCourseFiles } from "../../core/training/course-files.ts";
import { readCourseFolder, readYaml } from "../course-files.ts";
import { importCourse } from "../training/courses.ts";
import type { SeedSet } from "./seed.ts";

/** The three demo courses shipped in `courses/`, one per demo role. */
export const demoCourseFolders = [
  "engineering-confidentiality",
  "sales-customer-information",
  "admin-personnel-data",
] as const;

export const coursesDirectory = fileURLToPath(new URL("../../courses/", import.meta.url));

export const demoCourses: SeedSet = {
  name: "demo-courses",
  version: "1",
  describe: "three demo courses (engineering, sales, admin), each assigned to that role",
  async run(tx, { now }) {
    for (const folder of demoCourseFolders) {
      const checked = parseCourseFiles(await readCourseFolder(`${coursesDirectory}${folder}`), readYaml);
      if (!checked.course) {
        const first = checked.problems[0];
        throw new Error(`demo course ${folder}: ${first?.file}:${first?.line}: ${first?.message}`);
      }
      await importCourse(tx, checked.course, "system:seed", now);
    }
  },
};
