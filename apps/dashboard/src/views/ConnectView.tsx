import { Card, Empty, Failed, Loading } from '../components/common';
import type { ApiError } from '../lib/api-client';
import type { ConnectorsAnswer } from '../lib/api-types';
import {
  asManagedSettings,
  asShell,
  claudeCodeEnvironment,
  copilotImportCommands,
  csvImportCommands,
  INGEST_KEY_COMMAND,
  lrsSettings,
  otelSdkEnvironment,
} from '../lib/connect-config';
import { formatCount } from '../lib/format';
import { useApi } from '../lib/use-api';

/** How the AI tools, learning systems and CSV exports send their data here (copy-paste configuration), and what the connectors ignored or rejected. */
export function ConnectView(props: { apiKey: string; onBadKey: (error: ApiError) => void; origin: string }) {
  const connectors = useApi<[ConnectorsAnswer]>(['/v1/connectors'], props.apiKey, props.onBadKey);
  const claudeCode = claudeCodeEnvironment(props.origin);
  const copilot = copilotImportCommands(props.origin);
  const csv = csvImportCommands(props.origin);
  return (
    <div className="view" data-testid="connect-view">
      <div className="grid">
        <Card title="Claude Code" subtitle="A developer's shell, or everyone's managed settings: tool decisions become outputs and discards; cost and tokens, usage" testId="connect-claude-code">
          <pre className="config" data-testid="config-claude-code">{asShell(claudeCode)}</pre>
          <pre className="config" data-testid="config-managed-settings">{asManagedSettings(claudeCode)}</pre>
        </Card>
        <Card title="Any OpenTelemetry SDK" subtitle="GenAI spans become outputs; ai.output.* log events become rework" testId="connect-otel">
          <pre className="config" data-testid="config-otel">{asShell(otelSdkEnvironment(props.origin))}</pre>
          <p className="note">
            OTLP/gRPC: the API's <code>OTLP_GRPC_PORT</code> as endpoint and <code>OTEL_EXPORTER_OTLP_PROTOCOL=grpc</code>. What becomes what: <code>docs/connectors/otlp.md</code>.
          </p>
        </Card>
        <Card wide title="GitHub Copilot" subtitle="Usage reports (active users, suggestions, acceptances, AI credits), imported once a day by a command" testId="connect-copilot">
          <ApiOrDatabase commands={copilot} testId="config-copilot" />
          <p className="note">
            The token needs to read the organisation's Copilot metrics; <code>--enterprise</code>, <code>--since</code>/<code>--until</code>, GitHub Enterprise Server and a
            cron job: <code>docs/connectors/copilot.md</code>.
          </p>
        </Card>
        <Card wide title="Learning system (LMS) or LRS forwarding" subtitle="xAPI statements, as to a Learning Record Store: completions become training" testId="connect-lrs">
          <p className="note">What the LMS's LRS settings ask for:</p>
          <dl className="settings" data-testid="config-lrs">
            {lrsSettings(props.origin).map((setting) => (
              <div key={setting.id} data-testid={`lrs-${setting.id}`}>
                <dt>{setting.field}</dt>
                <dd>
                  <code>{setting.value}</code>
                  {setting.note && <span className="note"> ({setting.note})</span>}
                </dd>
              </div>
            ))}
          </dl>
          <p className="note">A key of the ingest scope, for the secret (its id is printed with it):</p>
          <pre className="config" data-testid="config-lrs-key">{INGEST_KEY_COMMAND}</pre>
          <p className="note">
            Statements, completions, voiding and what is stored: <code>docs/xapi.md</code>.
          </p>
        </Card>
        <Card wide title="HR directory and LMS exports (CSV)" subtitle="Who is in which team at what cost, and the course catalogue and completions, imported from files" testId="connect-csv">
          <ApiOrDatabase commands={csv} testId="config-csv" />
          <p className="note">
            <code>[…]</code> is optional. Without <code>--map</code>, a field reads the column named like it; else name the columns:{' '}
            <code>--map "employeeId=Employee ID,teamId=Department,hourlyCost=Hourly Rate,identity.email=Work Email"</code>. Dates are ISO 8601 unless{' '}
            <code>--date-format "DD/MM/YYYY HH:mm"</code> says otherwise. The catalogue before the completions (through the database, a completion of an unknown
            course is rejected). Bad rows go to <code>&lt;file&gt;.rejected.csv</code>, <code>--dry-run</code> stores nothing, a re-run stores nothing twice; every
            field, date format and reason: <code>docs/imports.md</code>.
          </p>
        </Card>
      </div>
      <Card wide title="What was ignored or rejected" subtitle="Records received and not stored, by connector, signal and reason" testId="connector-records">
        {connectors.state === 'loading' && <Loading what="connector counts" />}
        {connectors.state === 'failed' && <Failed error={connectors.error} retry={connectors.retry} />}
        {connectors.state === 'ready' && connectors.data[0].records.length === 0 && <Empty>Nothing ignored or rejected yet.</Empty>}
        {connectors.state === 'ready' && connectors.data[0].records.length > 0 && (
          <div className="table-scroll">
            <table data-testid="connector-records-table">
              <thead>
                <tr>
                  <th scope="col">Reason</th>
                  <th scope="col">Connector</th>
                  <th scope="col">Signal</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Records</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {connectors.data[0].records.map((record) => (
                  <tr key={`${record.connector}|${record.signal}|${record.outcome}|${record.reason}`} data-testid="connector-record">
                    <th scope="row">{record.reason}</th>
                    <td>{record.connector}</td>
                    <td>{record.signal}</td>
                    <td>{record.outcome}</td>
                    <td>{formatCount(record.count)}</td>
                    <td>{new Date(record.lastSeenAt).toLocaleString()}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
    </div>
  );
}

/** A command's two forms: through this instance's API (an ingest key, no database credentials), or through the database. */
function ApiOrDatabase(props: { commands: { api: string; database: string }; testId: string }) {
  return (
    <>
      <p className="note">Through this instance's API, with a key of the ingest scope (its tenant is used):</p>
      <pre className="config" data-testid={`${props.testId}-api`}>
        {props.commands.api}
      </pre>
      <p className="note">
        Or through the database (the CLI's <code>DATABASE_URL</code>):
      </p>
      <pre className="config" data-testid={props.testId}>
        {props.commands.database}
      </pre>
    </>
  );
}
