import { Inject, Injectable } from '@nestjs/common';
import { METRIC_VERSION, suppressSmallGroups } from '@rework-ledger/domain';
import { courseCompletions, queryReworkMetrics, type ReworkMetricsRow } from '@rework-ledger/read-models';
import { TENANT_SETTINGS, type TenantSettingsStore } from '@rework-ledger/tenancy';
import { DataSource } from 'typeorm';
import { CourseImpactService, type ImpactParameters } from './course-impact.service';

export type CourseRecommendation = {
  courseId: string;
  title: string;
  att: number;
  ci95: [number, number] | null;
  /** Members of the team who worked on this task type in the period and have not completed the course. */
  untrainedMembers: number;
  /** Hours of rework the untrained members' outputs of the period would have been spared: −ATT × outputs × minutes per reworked output / 60. */
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
  /** Team × task type cells of fewer than k employees, not shown to non-admin callers: how many, and their outputs (or null when too few to show). */
  suppressed: { cells: number; outputs: number | null } | null;
};

type Cell = { team: string; taskType: string; rows: ReworkMetricsRow[]; employees: number; employeeIds?: string[] };

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

  async gaps(tenant: string, from: Date, to: Date, impactParameters: ImpactParameters, seesSmallGroups: boolean): Promise<SkillsGapsAnswer> {
    const settings = await this.tenantSettings.get(tenant);
    const base = {
      tenant,
      from,
      to,
      defaultHourlyCost: settings.defaultHourlyCost,
      defaultMinutesSavedByTaskType: settings.minutesSavedByTaskType,
      privacyMinGroupSize: settings.privacyMinGroupSize,
    };
    const [total] = await queryReworkMetrics(this.dataSource, base);
    const tenantReworkRate = total?.reworkRate ?? null;
    const answer = { metricVersion: METRIC_VERSION, from: from.toISOString(), to: to.toISOString(), tenantReworkRate };
    if (tenantReworkRate === null) return { ...answer, gaps: [], suppressed: null };

    const perEmployee = await queryReworkMetrics(this.dataSource, { ...base, groupBy: 'team', thenBy: ['taskType', 'employee'] });
    const cells = new Map<string, Cell>();
    for (const row of perEmployee) {
      const [taskType, employeeId] = row.subgroups ?? [];
      const key = `${row.group}\u0000${taskType}`;
      const cell = cells.get(key) ?? { team: String(row.group), taskType, rows: [], employees: 0 };
      cell.rows.push({ ...row, employeeIds: [employeeId] });
      cell.employees += 1;
      cells.set(key, cell);
    }
    const k = settings.privacyMinGroupSize;
    for (const cell of cells.values()) if (cell.employees < k) cell.employeeIds = cell.rows.flatMap((row) => row.employeeIds ?? []);
    const { visible, suppressed, remainderTooSmall } = seesSmallGroups
      ? { visible: [...cells.values()], suppressed: [] as Cell[], remainderTooSmall: false }
      : suppressSmallGroups([...cells.values()], k);

    const effectiveCourses = [];
    for (const course of await this.courseImpact.courses(tenant)) {
      const impact = await this.courseImpact.impact(tenant, course.courseId, impactParameters, seesSmallGroups);
      if (impact.significant && impact.att !== null && impact.att < 0 && !impact.placebo?.flagged && impact.value.minutesPerReworkedOutput !== null) {
        const trained = new Set((await courseCompletions(this.dataSource, tenant, course.courseId, to)).map((c) => c.employeeId));
        effectiveCourses.push({ course, impact, trained });
      }
    }

    const gaps: SkillsGap[] = [];
    for (const cell of visible) {
      const outputs = sum(cell.rows, 'outputs');
      const reworkedOutputs = sum(cell.rows, 'reworkedOutputs');
      const reworkRate = reworkedOutputs / outputs;
      if (reworkRate <= tenantReworkRate) continue;
      const recommendations: CourseRecommendation[] = [];
      for (const { course, impact, trained } of effectiveCourses) {
        const untrained = cell.rows.filter((row) => !trained.has((row.employeeIds ?? [])[0]));
        if (untrained.length === 0) continue;
        const att = impact.att as number;
        recommendations.push({
          courseId: course.courseId,
          title: course.title,
          att,
          ci95: impact.ci95,
          untrainedMembers: untrained.length,
          projectedHoursSaved: (-att * sum(untrained, 'outputs') * (impact.value.minutesPerReworkedOutput as number)) / 60,
        });
      }
      recommendations.sort((a, b) => b.projectedHoursSaved - a.projectedHoursSaved);
      gaps.push({
        team: cell.team,
        taskType: cell.taskType,
        outputs,
        reworkedOutputs,
        reworkRate,
        tenantReworkRate,
        excessReworkRate: reworkRate - tenantReworkRate,
        lostHours: sum(cell.rows, 'lostHours'),
        recommendations,
      });
    }
    gaps.sort((a, b) => b.excessReworkRate * b.outputs - a.excessReworkRate * a.outputs);
    const suppressedOutputs = suppressed.reduce((total, cell) => total + sum(cell.rows, 'outputs'), 0);
    return {
      ...answer,
      gaps,
      suppressed: suppressed.length === 0 ? null : { cells: suppressed.length, outputs: remainderTooSmall ? null : suppressedOutputs },
    };
  }
}

function sum(rows: readonly ReworkMetricsRow[], field: 'outputs' | 'reworkedOutputs' | 'lostHours'): number {
  return rows.reduce((total, row) => total + row[field], 0);
}
