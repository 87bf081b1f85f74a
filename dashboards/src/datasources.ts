/**
 * The datasource uids every dashboard and the Grafana provisioning file agree
 * on. Fixed uids, because file provisioning resolves no `${DS_...}` inputs
 * (those exist only for the import UI); dashboards/provisioning/datasources/
 * declares the same three, and test/unit/kit/dashboards-structure.test.ts
 * keeps the two equal.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'tempo' };
export const LOKI: DataSourceRef = { type: 'loki', uid: 'loki' };
