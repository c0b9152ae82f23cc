import { Card, Failed, Kpi } from '../components/common';
import type { ApiError } from '../lib/api-client';
import type { ValueMetricsAnswer } from '../lib/api-types';
import { formatMoney } from '../lib/format';
import { combineValueRows, netValueCoverageNote, netValueFormula, netValueUnavailableNote, valueQuery } from '../lib/net-value';
import { useApi } from '../lib/use-api';

/**
 * Net AI value (GET /v1/metrics/value) for the period and team of the rework figures beside it: the value of the
 * time AI saved, less the cost of its rework, less what the tools cost, with the formula written out; when some spend
 * is in another currency there is no net, and it says why.
 */
export function NetValueSection(props: { apiKey: string; onBadKey: (error: ApiError) => void; range: { from: string; to: string }; team?: string }) {
  const loaded = useApi<[ValueMetricsAnswer]>([`/v1/metrics/value?${valueQuery({ ...props.range, team: props.team })}`], props.apiKey, props.onBadKey);
  return (
    <div className="net-value">
      <Card wide title={`Net AI value${props.team ? ` of team ${props.team}` : ''}`} subtitle="Value of the gross time saved − cost of rework − spend on AI tools (usage cost and licence seats)" testId="net-value-section">
        {loaded.state === 'loading' && (
          <div className="state loading" role="status" aria-busy="true" data-testid="net-value-loading">
            <span className="spinner" aria-hidden="true" /> Loading net value…
          </div>
        )}
        {loaded.state === 'failed' && <Failed error={loaded.error} retry={loaded.retry} />}
        {loaded.state === 'ready' && <NetValueContent answer={loaded.data[0]} asked={props.range} />}
      </Card>
    </div>
  );
}

function NetValueContent(props: { answer: ValueMetricsAnswer; asked: { from: string; to: string } }) {
  const { answer } = props;
  const { currency } = answer;
  const value = combineValueRows(answer.rows);
  if (value === null) {
    return (
      <p className="note" data-testid="net-value-empty">
        {answer.suppressed === null
          ? 'Nothing recorded in this period.'
          : 'Withheld to protect small groups: the rework or the spend of these people covers too few of them. An API key with the admin scope sees every figure.'}
      </p>
    );
  }
  const unavailable = netValueUnavailableNote(value, answer);
  return (
    <div data-testid="net-value-content">
      <div className="kpis" data-testid="net-value-kpis">
        <Kpi id="value-savedValue" label="Value of time saved" text={formatMoney(value.savedValue, currency)} value={value.savedValue} hint="Gross hours saved at each author's hourly cost (else the default)" tone="good" />
        <Kpi id="value-lostCost" label="Cost of rework" text={formatMoney(value.lostCost, currency)} value={value.lostCost} tone="bad" />
        <Kpi id="value-spend" label={`Spend (${currency})`} text={formatMoney(value.spend, currency)} value={value.spend} hint="Usage cost and licence seats" tone="bad" />
        <Kpi id="value-netAiValue" label="Net AI value" text={formatMoney(value.netAiValue, currency)} value={value.netAiValue} tone={value.netAiValue !== null && value.netAiValue < 0 ? 'bad' : 'good'} />
      </div>
      <p className="note" data-testid="net-value-formula">
        {netValueFormula(value, currency)}
      </p>
      <p className={`note${answer.suppressed?.rows ? ' withheld-note' : ''}`} data-testid="net-value-coverage">
        {netValueCoverageNote(answer, props.asked)}
      </p>
      {unavailable && (
        <p className="note withheld-note" data-testid="net-value-unavailable">
          {unavailable}
        </p>
      )}
    </div>
  );
}
