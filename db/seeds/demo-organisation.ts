import type { EmployeeInput } from "../../core/directory/employee-input.ts";
import { upsertEmployee, upsertEntity } from "../repositories/directory.ts";
import type { SeedSet } from "./seed.ts";

type DemoPerson = [
  externalId: string,
  name: string,
  position: string,
  role: string,
  manager: string | null,
  extra?: Partial<EmployeeInput>,
];

/**
 * A small company: a CEO, and manager chains in engineering, sales and admin, with HR and finance
 * people. Ids and e-mail addresses are fictitious (example.com); wages are demo figures — enter
 * your city's official ones.
 */
const people: DemoPerson[] = [
  ["E1000", "周明", "首席执行官 CEO", "admin", null],
  ["E1100", "李娜", "工程副总裁 VP Engineering", "engineering", "E1000"],
  ["E1101", "王强", "高级工程师 Senior Engineer", "engineering", "E1100"],
  [
    "E1102",
    "Emily Chen",
    "Software Engineer",
    "engineering",
    "E1100",
    { locale: "en", hireDate: "2026-10-12", probationEndDate: "2027-01-11" },
  ],
  ["E1200", "张伟", "销售总监 Sales Director", "sales", "E1000"],
  ["E1201", "刘洋", "客户经理 Account Manager", "sales", "E1200"],
  ["E1202", "David Wu", "Sales Representative", "sales", "E1200", { locale: "en" }],
  ["E1300", "陈静", "行政总监 Head of Admin", "admin", "E1000"],
  ["E1301", "杨帆", "人力资源经理 HR Manager", "admin", "E1300", { functions: ["hr"] }],
  ["E1302", "赵敏", "人力资源专员 HR Specialist", "admin", "E1301", { functions: ["hr"] }],
  ["E1303", "孙磊", "财务经理 Finance Manager", "admin", "E1300", { functions: ["finance"] }],
  ["E1304", "Grace Li", "Finance Specialist", "admin", "E1303", { functions: ["finance"], locale: "en" }],
];

const departments: Record<string, string> = {
  engineering: "工程部 Engineering",
  sales: "销售部 Sales",
  admin: "行政部 Admin",
};

export const demoOrganisation: SeedSet = {
  name: "demo-organisation",
  // 2: fictitious ID numbers, which the separation certificate needs (HR can issue one in the demo).
  version: "2",
  describe:
    "the demo company: an entity in Shanghai, 12 people in engineering, sales and admin, HR and finance",
  async run(tx, { master, now }) {
    await upsertEntity(
      tx,
      "demo-sh",
      {
        name: "百通示范（上海）科技有限公司 Baton Demo (Shanghai) Co., Ltd.",
        city: "上海 Shanghai",
        calendarRegion: "CN",
        wageRates: [
          { kind: "minimum_monthly", amountFen: 269_000, effectiveFrom: "2023-07-01" },
          { kind: "minimum_monthly", amountFen: 274_000, effectiveFrom: "2025-07-01" },
          { kind: "average_monthly", amountFen: 1_230_700, effectiveFrom: "2024-07-01" },
        ],
      },
      "system:seed",
      now,
    );
    for (const [index, [externalId, name, position, role, manager, extra]] of people.entries()) {
      const hireDate =
        extra?.hireDate ?? `20${String(18 + (index % 6)).padStart(2, "0")}-0${1 + (index % 9)}-01`;
      const local = name.includes(" ") ? name.toLowerCase().replace(" ", ".") : externalId.toLowerCase();
      await upsertEmployee(
        tx,
        master,
        externalId,
        {
          name,
          email: `${local}@baton-demo.example.com`,
          personalEmail: `${local}.home@example.com`,
          locale: "zh-CN",
          jurisdiction: "CN",
          timeZone: "Asia/Shanghai",
          entity: "demo-sh",
          department: departments[role] ?? null,
          role,
          position,
          managerExternalId: manager,
          functions: [],
          status: "active",
          hireDate,
          serviceStartDate: hireDate,
          // Long-serving staff hold open-ended contracts; newer ones a three-year fixed term.
          ...(hireDate < "2023-01-01"
            ? { contractType: "open-ended" as const, contractStartDate: hireDate }
            : {
                contractType: "fixed" as const,
                contractStartDate: hireDate,
                contractEndDate: `${Number(hireDate.slice(0, 4)) + 3}${hireDate.slice(4)}`,
              }),
          identities: {},
          // Fictitious: an 18-character mainland ID shape, not a real person's number.
          idNumber: `31010119${80 + (index % 20)}0${1 + (index % 9)}15${String(100 + index).slice(-3)}0`,
          ...extra,
        },
        "system:seed",
        now,
      );
    }
  },
};
