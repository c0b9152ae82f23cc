import { type FormEvent, useCallback, useMemo, useState } from 'react';
import { type ApiError, describeError, getJson, sessionKey } from './lib/api-client';
import type { Bucket, GroupBy } from './lib/api-types';
import { useHashState, type View } from './lib/use-hash-state';
import { ConnectView } from './views/ConnectView';
import { LearningView } from './views/LearningView';
import { type OperationsFilters, OperationsView } from './views/OperationsView';
import { SkillsView } from './views/SkillsView';

const TABS: readonly { view: View; label: string; question: string }[] = [
  { view: 'operations', label: 'Operations', question: 'Where do we lose time to rework?' },
  { view: 'learning', label: 'Learning', question: 'Which training paid off?' },
  { view: 'skills', label: 'Skills gaps', question: 'Which team needs which course?' },
  { view: 'connect', label: 'Connect', question: 'How do our AI tools, learning systems and HR exports send their data here?' },
];

export function App() {
  const [key, setKey] = useState(sessionKey.get);
  const [keyProblem, setKeyProblem] = useState<string | null>(null);
  const [hash, navigate] = useHashState();
  const now = useMemo(() => new Date(), []);

  const onBadKey = useCallback((error: ApiError) => {
    sessionKey.clear();
    setKey('');
    setKeyProblem(describeError(error));
  }, []);
  const changeKey = () => {
    sessionKey.clear();
    setKey('');
    setKeyProblem(null);
  };
  const accept = (candidate: string) => {
    sessionKey.set(candidate);
    setKeyProblem(null);
    setKey(candidate);
  };

  const filters: OperationsFilters = {
    days: Number(hash.params.get('days') ?? 90) || 90,
    bucket: (hash.params.get('bucket') as Bucket | null) ?? undefined,
    groupBy: (hash.params.get('groupBy') as GroupBy | null) ?? undefined,
    team: hash.params.get('team') ?? undefined,
  };
  const setFilters = (next: OperationsFilters) =>
    navigate('operations', { days: String(next.days), bucket: next.bucket, groupBy: next.groupBy, team: next.team });

  return (
    <div className="app">
      <header className="top">
        <div className="brand">
          <h1>Rework Ledger</h1>
          <span>Where AI productivity leaks into rework — and which training wins it back</span>
        </div>
        {key && (
          <nav aria-label="Views">
            {TABS.map((tab) => (
              <a key={tab.view} href={`#/${tab.view}`} className={hash.view === tab.view ? 'active' : undefined} aria-current={hash.view === tab.view ? 'page' : undefined} data-testid={`tab-${tab.view}`}>
                {tab.label}
              </a>
            ))}
            <button type="button" className="link light" onClick={changeKey} data-testid="change-key">
              Change key
            </button>
          </nav>
        )}
      </header>
      <main>
        {!key ? (
          <KeyForm problem={keyProblem} onAccepted={accept} />
        ) : (
          <>
            <p className="question">{TABS.find((tab) => tab.view === hash.view)?.question}</p>
            {hash.view === 'operations' && <OperationsView apiKey={key} filters={filters} onFilters={setFilters} onBadKey={onBadKey} now={now} />}
            {hash.view === 'learning' && <LearningView apiKey={key} onBadKey={onBadKey} />}
            {hash.view === 'skills' && <SkillsView apiKey={key} onBadKey={onBadKey} />}
            {hash.view === 'connect' && <ConnectView apiKey={key} onBadKey={onBadKey} origin={window.location.origin} />}
          </>
        )}
      </main>
      <footer>
        <a href="/docs">API documentation</a> · <a href="/health">Health</a> · Groups of fewer people than the privacy threshold are shown only as sums.
      </footer>
    </div>
  );
}

/** Asks for the API key once per browser session and checks it before keeping it. */
function KeyForm(props: { problem: string | null; onAccepted: (key: string) => void }) {
  const [value, setValue] = useState('');
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const shown = problem ?? props.problem;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const candidate = value.trim();
    if (!candidate) {
      setProblem('Paste the API key that `npm start` printed (it starts with rl_).');
      return;
    }
    setChecking(true);
    setProblem(null);
    try {
      await getJson('/v1/projections', candidate);
      props.onAccepted(candidate);
    } catch (error) {
      setProblem(describeError(error));
    } finally {
      setChecking(false);
    }
  };
  return (
    <form className="card key-form" onSubmit={submit} data-testid="key-form">
      <h2>Enter your API key</h2>
      <p>
        The key is kept for this browser tab only. <code>npm start</code> prints one for the demo tenant; more come from{' '}
        <code>npm run cli -- keys create --tenant &lt;tenant&gt; --scopes read</code>.
      </p>
      <label>
        <span>API key</span>
        <input type="password" autoComplete="off" spellCheck={false} placeholder="rl_…" value={value} onChange={(event) => setValue(event.target.value)} data-testid="key-input" autoFocus />
      </label>
      <button type="submit" disabled={checking} data-testid="key-submit">
        {checking ? 'Checking…' : 'Open the dashboard'}
      </button>
      {shown && (
        <p className="state error" role="alert" data-testid="key-error">
          {shown}
        </p>
      )}
    </form>
  );
}
