import { describe, expect, it } from 'vitest';
import {
  createRecommender,
  renderDemandMarkdown,
  renderRecommendationMarkdown,
  escapeMarkdown,
  type RecommendInput,
} from '../src/index.js';
import { constant, flatForecast, history } from './fixtures.js';

const input: RecommendInput = {
  alpha: 0.9,
  forecasts: { requests: flatForecast(constant(30, 45)), cpu: flatForecast(constant(30, 2.5)) },
  current: { requests: 40, cpu: 2 },
  history: { requests: history(120, (i) => (i < 105 ? 15 : 20)), cpu: history(120, 1.5) },
};
const rec = createRecommender({ perReplicaCapacity: { cpu: 1 }, maxReplicas: 10 });

describe('markdown', () => {
  it('renders the demand report with its numbers, level, mode and actions', () => {
    const r = rec.demandReport(input);
    const md = renderDemandMarkdown(r);
    expect(md).toMatch(/^## Demand report/);
    expect(md).toContain('**Demand level:** elevated (requests, surge factor 3.00×)');
    expect(md).toContain('**Resource mode:** surge');
    expect(md).toContain('**Recent rate** (last 15 min): 20');
    expect(md).toContain('**Baseline rate** (mean before the recent window, 105 min): 15');
    expect(md).toContain('**Predicted rate** (median, next 15 min): 45');
    expect(md).toContain('| requests | 20 | 15 | 45 | 3.00× | elevated |');
    expect(md).toContain('| cpu | 1.5 | 1.5 | 2.5 | 1.67× | elevated |');
    expect(md).toContain('- **pre-warm**: requests is predicted at 45');
  });

  it('renders the recommendation: action, replicas with the binding metric, bounds per horizon', () => {
    const r = rec.recommend(input);
    const md = renderRecommendationMarkdown(r);
    expect(md).toContain('**Action:** scale_up (decision horizon 15 min, α = 0.9, confidence 1)');
    expect(md).toContain('**Replicas:** 3 (binding metric: cpu)');
    expect(md).toContain('| cpu | 15 ◀ | 2 | 2.5 | 2.5 | 2.5 | 1 | scale_up |');
    expect(md).toContain('| requests | 30 | 40 | 45 | 45 | 45 | 1 | scale_up |');
    expect(md).toContain('### Demand report');
  });

  it('says cold start plainly, with the minutes needed', () => {
    const md = renderRecommendationMarkdown(
      rec.recommend({ ...input, history: { requests: history(20, 1), cpu: history(120, 1) } }),
    );
    expect(md).toContain('**Cold start** — no recommendation yet: requests has 20 observed minutes of history');
    expect(md).toContain('Minutes needed: 40');
  });
});

describe('markdown escaping', () => {
  it('escapes metric names and the reasons quoting them: no extra table cells, emphasis or HTML', () => {
    const name = 'a|b*c_<img src=x>';
    const md = renderRecommendationMarkdown(
      rec.recommend({
        alpha: 0.9,
        forecasts: { [name]: flatForecast(constant(30, 2.5)) },
        current: { [name]: 2 },
        history: { [name]: history(120, 1.5) },
      }),
    );
    expect(md).not.toContain(name);
    expect(md).not.toContain('<img');
    const row = md.split('\n').find((l) => l.startsWith('| a\\|b'))!;
    // The same number of cells as the header row: the name's "|" did not add one.
    expect(row.split(/(?<!\\)\|/).length).toBe(
      '| metric | horizon (min) | current | target | lower bound | upper bound | confidence | action |'.split('|')
        .length,
    );
    expect(escapeMarkdown('x\ny')).toBe('x y');
  });
});
