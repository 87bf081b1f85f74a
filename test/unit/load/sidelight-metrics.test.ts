import { describe, expect, it } from 'vitest';
import { histogramQuantile, metricsDelta, parseMetrics } from '../../../load/runner/sidelight-metrics.ts';

const TEXT = `# HELP sidelight_phase_duration_seconds Time spent in each proxy phase.
# TYPE sidelight_phase_duration_seconds histogram
sidelight_phase_duration_seconds_bucket{le="0.001",phase="route",http_route="/a"} 6
sidelight_phase_duration_seconds_bucket{le="0.002",phase="route",http_route="/a"} 8
sidelight_phase_duration_seconds_bucket{le="+Inf",phase="route",http_route="/a"} 8
sidelight_phase_duration_seconds_sum{phase="route",http_route="/a"} 0.006
sidelight_phase_duration_seconds_count{phase="route",http_route="/a"} 8
sidelight_phase_duration_seconds_bucket{le="0.001",phase="route",http_route="/b"} 0
sidelight_phase_duration_seconds_bucket{le="0.002",phase="route",http_route="/b"} 2
sidelight_phase_duration_seconds_bucket{le="+Inf",phase="route",http_route="/b"} 2
sidelight_phase_duration_seconds_sum{phase="route",http_route="/b"} 0.003
sidelight_phase_duration_seconds_count{phase="route",http_route="/b"} 2
http_server_request_duration_seconds_count{http_request_method="GET",http_route="/a",http_response_status_code="200",error_type=""} 8
http_server_request_duration_seconds_count{http_request_method="GET",http_route="/b",http_response_status_code="502",error_type="502"} 2
sidelight_config_reloads_total{result="applied"} 3
sidelight_config_reloads_total{result="rejected"} 1
sidelight_config_generation 4
process_resident_memory_bytes 104857600
process_cpu_seconds_total 1.5
`;

describe("reading Sidelight's /metrics", () => {
  it('sums requests and phase histograms over routes and reads reloads, generation, RSS and CPU', () => {
    const m = parseMetrics(TEXT);
    expect(m.requestsCounted).toBe(10);
    expect(m.phases.route).toEqual({
      buckets: [
        [0.001, 6],
        [0.002, 10],
        [Number.POSITIVE_INFINITY, 10],
      ],
      sum: expect.closeTo(0.009, 12),
      count: 10,
    });
    expect(m).toMatchObject({
      reloadsApplied: 3,
      reloadsRejected: 1,
      generation: 4,
      rssBytes: 104857600,
      cpuSeconds: 1.5,
    });
  });

  it('interpolates quantiles inside a bucket like histogram_quantile', () => {
    const h = parseMetrics(TEXT).phases.route!;
    expect(histogramQuantile(0.3, h)).toBeCloseTo(0.0005, 12); // rank 3 of 6 in (0, 1ms]
    expect(histogramQuantile(0.8, h)).toBeCloseTo(0.0015, 12); // rank 8: half-way through (1ms, 2ms]
    expect(histogramQuantile(0.5, { buckets: [], sum: 0, count: 0 })).toBeNaN();
  });

  it('subtracts the before snapshot so a run sees only its own requests', () => {
    const before = parseMetrics(TEXT);
    const after = parseMetrics(
      TEXT.replace('"200",error_type=""} 8', '"200",error_type=""} 20').replace(
        '{result="applied"} 3',
        '{result="applied"} 5',
      ),
    );
    const d = metricsDelta(before, after);
    expect(d.requestsCounted).toBe(12);
    expect(d.reloadsApplied).toBe(2);
    expect(d.phases.route?.count).toBe(0);
    expect(d.cpuSeconds).toBe(0);
  });
});
