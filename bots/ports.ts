/**
 * Everything the bot engine does that has I/O goes through these ports: who a person is, the
 * offboarding commands, agreements, training, channels, the directory, conversation state, the
 * clock and the catalogue. adapters/http/bot implements them over the database; unit tests pass
 * fakes. Ports enforce nothing the core does not: permission checks stay in the core commands (or
 * in core rules the engine calls before acting).
 */

import type { Option } from "../cards/model.ts";
import type { AgreementToSignData, SignatureReceiptData } from "../cards/templates/agreements.ts";
import type { Translate } from "../cards/templates/context.ts";
import type { QuizResultData } from "../cards/templates/training.ts";
import type { IsoDate } from "../core/compliance/dates.ts";
import type { Locale } from "../core/messages/index.ts";
import type { ChannelPurpose } from "../core/notifications/channels.ts";
import type { CaseView } from "../core/offboarding/case.ts";
import type { OffboardingCommands } from "../core/offboarding/commands.ts";
import type { QuestionType } from "../core/training/course.ts";
import type { SurfaceName, Who } from "./events.ts";

/** The acting person as the directory knows them (active employees only). */
export type BotPerson = {
  /** `employee:E1100`. */
  principal: string;
  externalId: string;
  name: string;
  /** Their stored language. */
  locale: Locale;
  timeZone: string;
  probationEndDate: IsoDate | null;
  /** Directory functions: `hr`, `finance`. */
  functions: readonly string[];
  /** Someone reports to them (shows the manager's commands in help). */
  managesPeople: boolean;
};

export type ConversationKind = "notice" | "quiz";

export type ConversationKey = {
  surface: SurfaceName;
  chatId: string;
  principal: string;
  kind: ConversationKind;
};

export type ConversationPort = {
  /** The stored state (unvalidated JSON), or undefined when none or expired. */
  load(key: ConversationKey): Promise<unknown>;
  save(key: ConversationKey, state: unknown, ttlSeconds: number): Promise<void>;
  clear(key: ConversationKey): Promise<void>;
};

export type CaseListFilter = { status: "active" | "all"; limit: number };

export type CasePort = Pick<
  OffboardingCommands,
  "giveNotice" | "completeStep" | "saveChecklist" | "getCase" | "activeCaseOf"
> & {
  /** Cases in id order (HR's list). */
  list(filter: CaseListFilter): Promise<CaseView[]>;
  /** Running cases where the person owns, receives or is delegated a step. */
  involving(principal: string, limit: number): Promise<CaseView[]>;
  /** Labels of connector-made checklist items (CRM accounts) by item id. */
  checklistLabels(caseId: string): Promise<Record<string, string>>;
};

export type PeoplePort = {
  /** Active people whose name or id contains the query, as picker options (`employee:<id>`). */
  search(query: string, limit: number): Promise<Option[]>;
  /** A first list for the receiver picker: the leaver's colleagues. */
  colleaguesOf(externalId: string, limit: number): Promise<Option[]>;
  /** Names by external id. */
  names(externalIds: readonly string[]): Promise<Record<string, string>>;
};

export type PendingSignature = { requestId: string; agreementId: string };

export type AgreementPort = {
  /** The person's signature requests still waiting, oldest first. */
  pending(principal: string): Promise<PendingSignature[]>;
  /** The card data for a request; the request must be this person's and unsigned (AppError otherwise). */
  toSign(input: { principal: string; requestId: string; locale: Locale }): Promise<AgreementToSignData>;
  /** The sign command (core/agreements/signing.ts): 404/403/409/422 as AppErrors. */
  sign(input: {
    principal: string;
    requestId: string;
    typedName: string;
    surface: SurfaceName;
    platformUserId?: string;
    platformTenantId?: string;
    proof?: {
      requestSha256?: string;
      signatureHeader?: string;
      ip?: string;
      userAgent?: string;
      sessionIdHash?: string;
    };
    locale: Locale;
  }): Promise<SignatureReceiptData>;
};

export type OpenCourse = { courseId: string; title: string; dueDate: IsoDate };

/** One page of a course, pages numbered across all its lessons. */
export type CoursePage = {
  courseId: string;
  courseTitle: string;
  lessonTitle: string;
  page: number;
  pages: number;
  markdown: string;
};

export type QuizPaperQuestion = {
  questionId: string;
  type: QuestionType;
  prompt: string;
  options: { key: string; text: string }[];
};

export type QuizPaper = {
  attemptId: string;
  courseId: string;
  questions: QuizPaperQuestion[];
  /** Letters chosen so far, by question id. */
  answers: Readonly<Record<string, readonly string[]>>;
  submitted: boolean;
};

export type TrainingPort = {
  /** The person's open course assignments. */
  open(principal: string): Promise<OpenCourse[]>;
  /**
   * Shows page `to` of the person's open assignment of the course, recording it in the learning
   * trail: moving on from `from` records that page as read; arriving at a lesson's first page
   * records the lesson as opened.
   */
  page(input: {
    principal: string;
    courseId: string;
    from: number | null;
    to: number;
    locale: Locale;
  }): Promise<CoursePage>;
  /** Starts (or resumes) an attempt of the person's open assignment of the course. */
  startQuiz(input: { principal: string; courseId: string; locale: Locale }): Promise<QuizPaper>;
  /** An attempt of the person's. */
  paper(input: { principal: string; attemptId: string; locale: Locale }): Promise<QuizPaper>;
  answer(input: {
    principal: string;
    attemptId: string;
    questionId: string;
    choices: string[];
  }): Promise<void>;
  /** Submits (a repeat answers the same result). */
  submit(input: { principal: string; attemptId: string; locale: Locale }): Promise<QuizResultData>;
};

export type ChannelPort = {
  bind(input: {
    platform: SurfaceName;
    channelId: string;
    purpose: ChannelPurpose;
    actor: string;
  }): Promise<{ created: boolean }>;
};

export type BotPorts = {
  now(): Date;
  t: Translate;
  /** The active employee behind the event: `who.principal` (web), else the stored platform identity. */
  identify(surface: SurfaceName, who: Who): Promise<BotPerson | undefined>;
  cases: CasePort;
  people: PeoplePort;
  agreements: AgreementPort;
  training: TrainingPort;
  channels: ChannelPort;
  conversations: ConversationPort;
};
