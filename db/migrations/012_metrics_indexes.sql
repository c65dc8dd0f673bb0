-- What the business metrics read at every Prometheus scrape (workers/business-metrics.ts), each from an index:
-- operations and submissions counted by their labels with index-only scans, and the two lists ops alert on
-- (rejections past the officers' 1 working day, AFM order No. 9, item 5(3); incident cards not yet delivered, due within
-- 48 hours of detection, National Bank resolution No. 116 §61) from partial indexes that hold only those rows.
CREATE INDEX IF NOT EXISTS operations_kind_status ON operations (kind, status);
CREATE INDEX IF NOT EXISTS submissions_counterpart_status ON submissions (counterpart, status);
CREATE INDEX IF NOT EXISTS submissions_rejected_due ON submissions (due_at) WHERE status = 'REJECTED';
CREATE INDEX IF NOT EXISTS incidents_undelivered_due ON incidents (due_at) WHERE first_delivered_at IS NULL AND status <> 'CLOSED';
