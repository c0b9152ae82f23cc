import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiErrorResponse, ApiInvalidParameters, ApiJsonResponse, ApiKeyAuth } from '@rework-ledger/http-kit';

const INTERVAL = { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2, nullable: true };
const TRAINEES = {
  type: 'object',
  properties: { eligible: { type: 'integer' }, pending: { type: 'integer' }, insufficient: { type: 'integer' }, dropped: { type: 'integer' } },
};

/** The answer of GET /v1/training/courses/{courseId}/impact. */
export const COURSE_IMPACT_SCHEMA = {
  type: 'object',
  properties: {
    courseId: { type: 'string' },
    title: { type: 'string' },
    metricVersion: { type: 'string' },
    asOf: {
      type: 'string',
      format: 'date-time',
      description:
        'the asOf the estimate is for: the requested one for admins; for anyone else the week start (Monday 00:00 UTC) at which the estimate shown was published (see the operation)',
    },
    requestedAsOf: { type: 'string', format: 'date-time', description: 'the asOf of the request (or its default)' },
    windowDays: { type: 'integer' },
    minOutputs: { type: 'integer' },
    horizonDays: { type: 'integer' },
    currency: { type: 'string', description: 'the tenant currency (value, ROI)' },
    estimateShown: {
      type: 'boolean',
      description: 'false when no estimate of at least k eligible trainees has been published for a caller without admin: the trainee counts of the requested week only',
    },
    att: { type: 'number', nullable: true, description: 'average effect on the trainees (difference in differences; negative = less rework)' },
    naive: { type: 'number', nullable: true, description: 'mean before/after change of the same trainees, without controls' },
    ci95: { ...INTERVAL, description: 'percentile bootstrap over employees, 1000 resamples, fixed seed' },
    significant: { type: 'boolean', description: 'the CI excludes 0' },
    placebo: {
      type: 'object',
      nullable: true,
      description: 'the same estimate one window earlier (pre-trend check)',
      properties: { att: { type: 'number' }, ci95: INTERVAL, flagged: { type: 'boolean' } },
    },
    trainees: TRAINEES,
    value: {
      type: 'object',
      properties: {
        minutesPerReworkedOutput: { type: 'number', nullable: true },
        avoidedReworks: { type: 'number', nullable: true },
        hoursSaved: { type: 'number', nullable: true, description: 'over the horizon' },
        valueSaved: { type: 'number', nullable: true },
        valueSavedRange: INTERVAL,
        cost: { type: 'number', description: 'Σ costPerSeat of the eligible trainees, in the course currency' },
        roi: { type: 'number', nullable: true, description: '(valueSaved − cost) / cost' },
        roiRange: INTERVAL,
        paybackDays: { type: 'number', nullable: true },
      },
    },
  },
};

const effective = {
  courseId: 'prompting-for-analysts',
  title: 'Prompting for analysts',
  metricVersion: 'v1',
  asOf: '2026-05-25T00:00:00.000Z',
  requestedAsOf: '2026-06-01T00:00:00.000Z',
  windowDays: 28,
  minOutputs: 5,
  horizonDays: 90,
  currency: 'EUR',
  estimateShown: true,
  att: -0.061,
  naive: -0.094,
  ci95: [-0.092, -0.031],
  significant: true,
  placebo: { att: 0.004, ci95: [-0.021, 0.028], flagged: false },
  trainees: { eligible: 118, pending: 9, insufficient: 14, dropped: 0 },
  value: {
    minutesPerReworkedOutput: 21.7,
    avoidedReworks: 1134,
    hoursSaved: 410,
    valueSaved: 25_420,
    valueSavedRange: [12_920, 37_800],
    cost: 53_100,
    roi: 3.2,
    roiRange: [1.5, 4.8],
    paybackDays: 21.4,
  },
};
const withheld = {
  ...effective,
  courseId: 'ai-for-managers',
  title: 'AI for managers',
  asOf: '2026-06-01T00:00:00.000Z',
  estimateShown: false,
  att: null,
  naive: null,
  ci95: null,
  significant: false,
  placebo: null,
  trainees: { eligible: 3, pending: 1, insufficient: 0, dropped: 0 },
  value: { minutesPerReworkedOutput: null, avoidedReworks: null, hoursSaved: null, valueSaved: null, valueSavedRange: null, cost: 2400, roi: null, roiRange: null, paybackDays: null },
};

const IMPACT_PARAMETERS = [
  ApiQuery({ name: 'windowDays', required: false, description: 'W, days of each window (1–365, default 28)', example: 28 }),
  ApiQuery({ name: 'minOutputs', required: false, description: 'm, outputs an employee needs in each window (≥ 1, default 5)', example: 5 }),
  ApiQuery({ name: 'horizonDays', required: false, description: 'H, days the value is counted over (default 90)', example: 90 }),
  ApiQuery({
    name: 'asOf',
    required: false,
    description:
      'only events before this time count (default: start of today, UTC). Without admin: snapped down to the start of its ISO week (Monday 00:00 UTC), and the estimate is the one published for that week',
    example: '2026-06-01',
  }),
];

const INVALID_IMPACT_PARAMETERS = {
  'window out of range': { code: 'REQUEST.INVALID_PARAMETER', message: 'windowDays must be between 1 and 365', field: 'windowDays' },
  'not a whole number': { code: 'REQUEST.INVALID_PARAMETER', message: 'minOutputs must be a whole number', field: 'minOutputs' },
};

/** OpenAPI of GET /v1/training/courses. */
export const ListCoursesDocs = () =>
  applyDecorators(
    ApiTags('training'),
    ApiOperation({
      summary: 'Every course with its completions and impact summary',
      description:
        "Impact at the default parameters (W = 28, m = 5, H = 90, asOf = start of today): for callers without admin the estimate published for this week, as GET …/impact gives it; each course's `impact.asOf` says which week it is for.",
    }),
    ApiJsonResponse(
      200,
      'The course catalogue',
      {
        type: 'object',
        properties: {
          asOf: { type: 'string', format: 'date-time' },
          courses: {
            type: 'array',
            items: {
              type: 'object',
              properties: {
                courseId: { type: 'string' },
                title: { type: 'string' },
                skills: { type: 'array', items: { type: 'string' } },
                costPerSeat: { type: 'number' },
                currency: { type: 'string' },
                activityIds: { type: 'array', items: { type: 'string' } },
                registeredAt: { type: 'string', format: 'date-time' },
                completions: { type: 'integer' },
                trainees: { type: 'integer' },
                impact: { type: 'object', description: 'att, naive, ci95, significant, placeboFlagged, trainees, hoursSaved, roi, roiRange, paybackDays' },
              },
            },
          },
        },
      },
      {
        catalogue: {
          asOf: '2026-06-01T00:00:00.000Z',
          courses: [
            {
              courseId: 'prompting-for-analysts',
              title: 'Prompting for analysts',
              skills: ['prompting', 'analysis'],
              costPerSeat: 450,
              currency: 'EUR',
              activityIds: ['https://lms.example.com/xapi/activities/prompting-for-analysts'],
              registeredAt: '2026-01-05T00:00:00.000Z',
              completions: 149,
              trainees: 141,
              impact: {
                asOf: effective.asOf,
                att: effective.att,
                naive: effective.naive,
                ci95: effective.ci95,
                significant: true,
                placeboFlagged: false,
                trainees: effective.trainees,
                hoursSaved: 410,
                roi: 3.2,
                roiRange: [1.5, 4.8],
                paybackDays: 21.4,
              },
            },
          ],
        },
        'no course yet': { asOf: '2026-06-01T00:00:00.000Z', courses: [] },
      },
    ),
    ApiKeyAuth('read'),
  );

/** OpenAPI of GET /v1/training/courses/{courseId}/impact. */
export const CourseImpactDocs = () =>
  applyDecorators(
    ApiTags('training'),
    ApiOperation({
      summary: 'The causal effect of completing a course on rework, with its uncertainty and value',
      description:
        'Difference in differences against colleagues not yet trained, percentile bootstrap CI over employees, placebo pre-trend check, value and ROI (docs/metrics.md). ' +
        'Callers without admin (docs/privacy-impact.md): asOf snaps down to its ISO week start S; walking the week starts up to S, an estimate is published at a week whose eligible trainees differ from the last published estimate by at least k (the first: at least k trainees), and the last published one stands — `asOf` in the answer is its week. Before any, counts only (`estimateShown: false`). Admins get the estimate as of their exact asOf.',
    }),
    ApiParam({ name: 'courseId', example: 'prompting-for-analysts' }),
    ...IMPACT_PARAMETERS,
    ApiJsonResponse(200, 'The estimate', COURSE_IMPACT_SCHEMA, { 'significant effect': effective, 'withheld (fewer than k trainees)': withheld }),
    ApiInvalidParameters(INVALID_IMPACT_PARAMETERS),
    ApiErrorResponse(404, 'No course of that id is registered for the tenant', {
      'unknown course': { code: 'NOT_FOUND.COURSE', message: 'no course nope is registered for this tenant', field: 'courseId' },
    }),
    ApiKeyAuth('read'),
  );

/** OpenAPI of GET /v1/skills/gaps. */
export const SkillsGapsDocs = () =>
  applyDecorators(
    ApiTags('training'),
    ApiOperation({
      summary: 'Teams × task types reworking more than the tenant, with the courses they have not taken',
      description:
        'Cells above the tenant rework rate over [from, to), each with the courses of significant, placebo-clean measured effect that its people have not completed, and the hours that would have saved. ' +
        "Callers without admin (docs/privacy-impact.md): [from, to) widens to whole calendar months; each month's linked tables (team totals, organisation totals by tool / task type / model, team × tool / task type / model with margins) are protected together (primary and secondary suppression), a cell's figures are the sum of its published cell-months, the withheld cell-months are counted in `suppressed`, and the recommendations' hours are the cell's published outputs pro rata by its untrained members.",
    }),
    ApiQuery({ name: 'from', required: false, description: 'default to − 90 days', example: '2026-03-01' }),
    ApiQuery({ name: 'to', required: false, description: 'default now', example: '2026-06-01' }),
    ...IMPACT_PARAMETERS,
    ApiJsonResponse(
      200,
      'The gaps',
      {
        type: 'object',
        properties: {
          metricVersion: { type: 'string' },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          tenantReworkRate: { type: 'number', nullable: true },
          gaps: { type: 'array', items: { type: 'object' } },
          suppressed: {
            type: 'object',
            nullable: true,
            description: 'team × task type cell-months withheld from a caller without admin; outputs null when an organisation total of a month is itself withheld',
            properties: { cells: { type: 'integer' }, outputs: { type: 'integer', nullable: true } },
          },
        },
      },
      {
        gaps: {
          metricVersion: 'v1',
          from: '2026-03-01T00:00:00.000Z',
          to: '2026-06-01T00:00:00.000Z',
          tenantReworkRate: 0.136,
          gaps: [
            {
              team: 'customer-support',
              taskType: 'drafting',
              outputs: 773,
              reworkedOutputs: 147,
              reworkRate: 0.19,
              tenantReworkRate: 0.136,
              excessReworkRate: 0.054,
              lostHours: 79.2,
              recommendations: [
                { courseId: 'prompting-for-analysts', title: 'Prompting for analysts', att: -0.061, ci95: [-0.092, -0.031], untrainedMembers: 11, projectedHoursSaved: 22.4 },
              ],
            },
          ],
          suppressed: { cells: 2, outputs: 105 },
        },
      },
    ),
    ApiInvalidParameters({ 'from after to': { code: 'REQUEST.INVALID_PARAMETER', message: 'from must be before to', field: 'from' }, ...INVALID_IMPACT_PARAMETERS }),
    ApiKeyAuth('read'),
  );
