import { Inject, Injectable } from '@nestjs/common';
import { METRIC_VERSION } from '@rework-ledger/domain';
import { courseCompletions, queryReworkCells, queryReworkMetrics, type ReworkMetricsQuery, type ReworkMetricsRow } from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { type CourseImpactAnswer, CourseImpactService, type ImpactParameters } from './course-impact.service';
import { isPublished, protectMonths } from './protected-months';

export type CourseRecommendation = {
  courseId: string;
  title: string;
  att: number;
  ci95: [number, number] | null;
  /** Members of the team who worked on this task type in the period and have not completed the course. */
  untrainedMembers: number;
  /**
   * Hours of rework the untrained members' outputs of the period would have been spared: −ATT × outputs × minutes per
   * reworked output / 60. For non-admin callers the outputs are the cell's published ones × the untrained share of
   * its members (no figure of a subgroup of the cell is shown).
   */
  projectedHoursSaved: number;
};

export type SkillsGap = {
  team: string;
  taskType: string;
  outputs: number;
  reworkedOutputs: number;
  reworkRate: number;
  tenantReworkRate: number;
  /** reworkRate − tenantReworkRate (points of rework rate above the tenant's). */
  excessReworkRate: number;
  lostHours: number;
  recommendations: CourseRecommendation[];
};

export type SkillsGapsAnswer = {
  metricVersion: string;
  from: string;
  to: string;
  tenantReworkRate: number | null;
  gaps: SkillsGap[];
  /**
   * Team × task type cells of a month withheld from non-admin callers by the protection of that month's tables: how
   * many (cell-months), and their outputs (null when a month's organisation total is itself withheld).
   */
  suppressed: { cells: number; outputs: number | null } | null;
};

type Cell = { team: string; taskType: string; outputs: number; reworkedOutputs: number; lostHours: number; members: MemberOutputs[] };
type MemberOutputs = { employeeId: string; outputs: number };
type EffectiveCourse = { courseId: string; title: string; impact: CourseImpactAnswer; trained: ReadonlySet<string> };

const MONTH_START = (time: Date): Date => new Date(Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), 1));

/**
 * Skills gaps: team × task-type cells whose rework rate is above the tenant's, with the courses of significant,
 * placebo-clean measured effect that the cell's people have not taken, and the hours that would save.
 */
@Injectable()
export class SkillsGapsService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(TENANT_SETTINGS) private readonly tenantSettings: TenantSettingsStore,
    private readonly courseImpact: CourseImpactService,
  ) {}

  /**
   * Admins: every team × task type cell of [from, to). Anyone else: [from, to) widened to whole calendar months, and
   * only the team × task type cells that the protection of each month's linked tables publishes (PRODUCT.md
   * "Privacy (v2)"), summed over the months: every figure is a sum of published cells.
   */
  async gaps(tenant: string, from: Date, to: Date, impactParameters: ImpactParameters, seesSmallGroups: boolean): Promise<SkillsGapsAnswer> {
    const settings = await this.tenantSettings.get(tenant);
    const period = seesSmallGroups ? { from, to } : { from: MONTH_START(from), to: MONTH_START(to).getTime() === to.getTime() ? to : MONTH_START(new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() + 1, 1))) };
    const base: ReworkMetricsQuery = {
      tenant,
      ...period,
      defaultHourlyCost: settings.defaultHourlyCost,
      defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
      privacyMinGroupSize: settings.privacyMinGroupSize,
    };
    const perEmployee = await queryReworkMetrics(this.dataSource, { ...base, groupBy: 'team', thenBy: ['taskType', 'employee'] });
    const { tenantReworkRate, cells, suppressed } = seesSmallGroups ? await this.everyCell(base, perEmployee) : await this.publishedCells(base, perEmployee, settings.privacyMinGroupSize);
    const answer = { metricVersion: METRIC_VERSION, from: period.from.toISOString(), to: period.to.toISOString(), tenantReworkRate };
    if (tenantReworkRate === null) return { ...answer, gaps: [], suppressed };

    const effectiveCourses: EffectiveCourse[] = [];
    for (const course of await this.courseImpact.courses(tenant)) {
      const impact = await this.courseImpact.impact(tenant, course.courseId, impactParameters, seesSmallGroups);
      if (impact.significant && impact.att !== null && impact.att < 0 && !impact.placebo?.flagged && impact.value.minutesPerReworkedOutput !== null) {
        const trained = new Set((await courseCompletions(this.dataSource, tenant, course.courseId, period.to)).map((c) => c.employeeId));
        effectiveCourses.push({ courseId: course.courseId, title: course.title, impact, trained });
      }
    }

    const gaps: SkillsGap[] = [];
    for (const cell of cells) {
      if (cell.outputs === 0) continue;
      const reworkRate = cell.reworkedOutputs / cell.outputs;
      if (reworkRate <= tenantReworkRate) continue;
      const recommendations: CourseRecommendation[] = [];
      for (const { courseId, title, impact, trained } of effectiveCourses) {
        const untrained = cell.members.filter((member) => !trained.has(member.employeeId));
        if (untrained.length === 0) continue;
        const att = impact.att as number;
        // Admins: the untrained members' own outputs. Others: the cell's published outputs pro rata by headcount.
        const outputs = seesSmallGroups ? untrained.reduce((total, member) => total + member.outputs, 0) : (cell.outputs * untrained.length) / cell.members.length;
        recommendations.push({
          courseId,
          title,
          att,
          ci95: impact.ci95,
          untrainedMembers: untrained.length,
          projectedHoursSaved: (-att * outputs * (impact.value.minutesPerReworkedOutput as number)) / 60,
        });
      }
      recommendations.sort((a, b) => b.projectedHoursSaved - a.projectedHoursSaved);
      gaps.push({
        team: cell.team,
        taskType: cell.taskType,
        outputs: cell.outputs,
        reworkedOutputs: cell.reworkedOutputs,
        reworkRate,
        tenantReworkRate,
        excessReworkRate: reworkRate - tenantReworkRate,
        lostHours: cell.lostHours,
        recommendations,
      });
    }
    gaps.sort((a, b) => b.excessReworkRate * b.outputs - a.excessReworkRate * a.outputs);
    return { ...answer, gaps, suppressed };
  }

  /** Every cell of the period, exactly (admins). */
  private async everyCell(base: ReworkMetricsQuery, perEmployee: readonly ReworkMetricsRow[]) {
    const [total] = await queryReworkMetrics(this.dataSource, base);
    const cells = new Map<string, Cell>();
    for (const row of perEmployee) {
      const cell = cellOf(cells, String(row.group), (row.subgroups ?? [])[0]);
      cell.outputs += row.outputs;
      cell.reworkedOutputs += row.reworkedOutputs;
      cell.lostHours += row.lostHours;
    }
    addMembers(cells, perEmployee);
    return { tenantReworkRate: total?.reworkRate ?? null, cells: [...cells.values()], suppressed: null };
  }

  /**
   * The cells the protection of each month's tables publishes, summed over the months (non-admin callers): the cells
   * of the rework metrics' protected tables of those months (one definition, `queryReworkCells`).
   */
  private async publishedCells(base: ReworkMetricsQuery, perEmployee: readonly ReworkMetricsRow[], k: number) {
    const months = protectMonths(await queryReworkCells(this.dataSource, { ...base, period: 'month' }), k);
    let tenantOutputs = 0;
    let tenantReworked = 0;
    let withheldCells = 0;
    let withheldOutputs = 0;
    let totalWithheld = false;
    const cells = new Map<string, Cell>();
    for (const month of months) {
      for (const monthCell of month.cells) {
        const { coordinates, row } = monthCell;
        const published = isPublished(month, monthCell);
        if (coordinates.team === undefined && coordinates.tool === undefined && coordinates.taskType === undefined && coordinates.model === undefined) {
          if (published) {
            tenantOutputs += row.outputs;
            tenantReworked += row.reworkedOutputs;
          } else totalWithheld = true;
        }
        if (coordinates.team === undefined || coordinates.taskType === undefined) continue;
        if (!published) {
          withheldCells += 1;
          withheldOutputs += row.outputs;
          continue;
        }
        const cell = cellOf(cells, coordinates.team, coordinates.taskType);
        cell.outputs += row.outputs;
        cell.reworkedOutputs += row.reworkedOutputs;
        cell.lostHours += row.lostHours;
      }
    }
    addMembers(cells, perEmployee);
    return {
      tenantReworkRate: tenantOutputs === 0 ? null : tenantReworked / tenantOutputs,
      cells: [...cells.values()],
      // The withheld cells of a month sum to its published total minus its published cells: nothing new, unless the
      // total itself is withheld (fewer than k people in the whole organisation that month).
      suppressed: withheldCells === 0 ? null : { cells: withheldCells, outputs: totalWithheld ? null : withheldOutputs },
    };
  }
}

function cellOf(cells: Map<string, Cell>, team: string, taskType: string): Cell {
  const key = `${team}\u0000${taskType}`;
  let cell = cells.get(key);
  if (cell === undefined) cells.set(key, (cell = { team, taskType, outputs: 0, reworkedOutputs: 0, lostHours: 0, members: [] }));
  return cell;
}

/** The members of each cell (authors of its outputs in the period) and their outputs there. */
function addMembers(cells: ReadonlyMap<string, Cell>, perEmployee: readonly ReworkMetricsRow[]): void {
  for (const row of perEmployee) {
    const [taskType, employeeId] = row.subgroups ?? [];
    cells.get(`${String(row.group)}\u0000${taskType}`)?.members.push({ employeeId, outputs: row.outputs });
  }
}
