import { LedgerError } from '@rework-ledger/domain';
import { DEFAULT_COURSES, DEFAULT_ORGANISATION_OPTIONS, type OrganisationOptions } from './organisation-options';

export const PRESET_NAMES = ['demo', 'small', 'bench'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** Overrides of a preset; `now` sets `end` (and `start` = `now` − the preset's length) unless they are given. */
export type PresetOverrides = Partial<OrganisationOptions> & { now?: Date };

const DAY_MS = 86_400_000;

/** Preset sizes. `end` defaults to a fixed date so that a preset without `now` is reproducible. */
const PRESETS: Record<PresetName, { days: number; end: Date; options: Partial<OrganisationOptions> }> = {
  // ~300 employees, 8 teams, 6 months: ~78k outputs, ~115k events.
  demo: { days: 182, end: new Date('2025-07-01T00:00:00Z'), options: { seed: 42, tenant: 'demo', employees: 300, teams: 8 } },
  // 30 employees, 3 teams, 6 months, 70 % trained on one course: ~7.8k outputs.
  small: {
    days: 182,
    end: new Date('2025-07-01T00:00:00Z'),
    options: {
      seed: 7,
      tenant: 'small',
      employees: 30,
      teams: 3,
      courses: [{ ...DEFAULT_COURSES[0], traineeShare: 0.7 }],
    },
  },
  // 10,000 employees, 12 teams, a year: ~1M outputs, ~1.5M events.
  bench: {
    days: 365,
    end: new Date('2026-01-01T00:00:00Z'),
    options: { seed: 2025, tenant: 'bench', employees: 10_000, teams: 12, outputsPerEmployeePerWeek: 1.92 },
  },
};

/** The options of a named organisation size, with overrides (e.g. `{ now }` for demo data that ends today). */
export function preset(name: PresetName, overrides: PresetOverrides = {}): OrganisationOptions {
  const chosen = PRESETS[name];
  if (chosen === undefined) {
    throw new LedgerError('DEMO_DATA.UNKNOWN_PRESET', `unknown preset ${String(name)}; one of ${PRESET_NAMES.join(', ')}`, 'preset');
  }
  const { now, ...rest } = overrides;
  const end = rest.end ?? now ?? chosen.end;
  const start = rest.start ?? new Date(end.getTime() - chosen.days * DAY_MS);
  return { ...DEFAULT_ORGANISATION_OPTIONS, ...chosen.options, ...rest, start, end };
}
