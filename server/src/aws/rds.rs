//! The backups panel from `DescribeDBInstances` and `DescribeDBSnapshots` — the runbook's
//! `aws rds describe-db-snapshots --snapshot-type automated` — with the read replicas' state and
//! `ReplicaLag`.

use super::error::port_error;
use super::{aws_time, chrono_time, AwsEnvironment};
use app::domain::cloud::{console, BackupsPanel, DbSnapshot, ReadReplica};
use app::ports::PortError;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_sdk_rds::types::DbInstance;

/// Shown per kind, newest first: a week of nightly automated snapshots.
const AUTOMATED: usize = 7;
const MANUAL: usize = 10;

pub(super) async fn instance(r: &AwsEnvironment, id: &str) -> Result<DbInstance, PortError> {
    let out = r
        .rds
        .describe_db_instances()
        .db_instance_identifier(id)
        .send()
        .await
        .map_err(|e| {
            if e.as_service_error()
                .is_some_and(|s| s.is_db_instance_not_found_fault())
            {
                PortError::NotFound(format!("DB instance {id} not found in {}", r.region))
            } else {
                port_error("rds:DescribeDBInstances", e)
            }
        })?;
    out.db_instances()
        .first()
        .cloned()
        .ok_or_else(|| PortError::NotFound(format!("DB instance {id} not found in {}", r.region)))
}

async fn snapshots(r: &AwsEnvironment, id: &str, kind: &str) -> Result<Vec<DbSnapshot>, PortError> {
    let out = r
        .rds
        .describe_db_snapshots()
        .db_instance_identifier(id)
        .snapshot_type(kind)
        .send()
        .await
        .map_err(|e| port_error("rds:DescribeDBSnapshots", e))?;
    let mut found: Vec<DbSnapshot> = out
        .db_snapshots()
        .iter()
        .map(|s| DbSnapshot {
            id: s.db_snapshot_identifier().unwrap_or_default().to_owned(),
            status: s.status().unwrap_or("unknown").to_owned(),
            created_at: s.snapshot_create_time().and_then(chrono_time),
            allocated_gib: s.allocated_storage(),
            progress_percent: s.percent_progress(),
        })
        .collect();
    // Snapshots being created have no time yet: they are the newest.
    found.sort_by(|a, b| match (a.created_at, b.created_at) {
        (None, None) => a.id.cmp(&b.id),
        (None, Some(_)) => std::cmp::Ordering::Less,
        (Some(_), None) => std::cmp::Ordering::Greater,
        (Some(x), Some(y)) => y.cmp(&x),
    });
    Ok(found)
}

pub(super) async fn read(
    r: &AwsEnvironment,
    overdue_after_s: u64,
) -> Result<BackupsPanel, PortError> {
    let Some(id) = r.cfg.db_instance.as_deref() else {
        return Err(PortError::Other("no RDS instance configured".into()));
    };
    let inst = instance(r, id).await?;
    let (automated, manual) =
        tokio::try_join!(snapshots(r, id, "automated"), snapshots(r, id, "manual"))?;
    Ok(BackupsPanel {
        instance: id.to_owned(),
        instance_status: inst.db_instance_status().map(str::to_owned),
        instance_class: inst.db_instance_class().map(str::to_owned),
        latest_restorable: inst.latest_restorable_time().and_then(chrono_time),
        retention_days: inst.backup_retention_period(),
        automated: automated.into_iter().take(AUTOMATED).collect(),
        manual: manual.into_iter().take(MANUAL).collect(),
        overdue_after_s,
        console_url: console::rds_instance(&r.region, id),
        snapshots_url: console::rds_snapshots(&r.region, id),
        replicas: replicas(r, &inst).await?,
    })
}

/// Each read replica's state (`DescribeDBInstances`) and its `ReplicaLag` over the last ten
/// minutes (one `GetMetricData` for all of them; the newest point counts).
async fn replicas(r: &AwsEnvironment, inst: &DbInstance) -> Result<Vec<ReadReplica>, PortError> {
    let ids = inst.read_replica_db_instance_identifiers().to_vec();
    let mut out = Vec::new();
    for id in ids.iter().take(5) {
        let status = match instance(r, id).await {
            Ok(i) => i.db_instance_status().map(str::to_owned),
            Err(PortError::NotFound(_)) => Some("not found".to_owned()),
            Err(e) => return Err(e),
        };
        out.push(ReadReplica {
            id: id.clone(),
            status,
            lag_s: None,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let now = chrono::Utc::now().timestamp();
    let queries = out
        .iter()
        .enumerate()
        .map(|(i, rep)| {
            let metric = Metric::builder()
                .namespace("AWS/RDS")
                .metric_name("ReplicaLag")
                .dimensions(
                    Dimension::builder()
                        .name("DBInstanceIdentifier")
                        .value(&rep.id)
                        .build(),
                )
                .build();
            MetricDataQuery::builder()
                .id(format!("lag{i}"))
                .metric_stat(
                    MetricStat::builder()
                        .metric(metric)
                        .period(60)
                        .stat("Average")
                        .build(),
                )
                .return_data(true)
                .build()
        })
        .collect();
    let data = r
        .cloudwatch
        .get_metric_data()
        .start_time(aws_time(now - 600))
        .end_time(aws_time(now + 60))
        .scan_by(ScanBy::TimestampDescending)
        .set_metric_data_queries(Some(queries))
        .send()
        .await
        .map_err(|e| port_error("cloudwatch:GetMetricData", e))?;
    for result in data.metric_data_results() {
        let index = result
            .id()
            .and_then(|id| id.strip_prefix("lag"))
            .and_then(|i| i.parse::<usize>().ok());
        if let (Some(i), Some(v)) = (index, result.values().first()) {
            if let Some(rep) = out.get_mut(i) {
                rep.lag_s = Some(*v);
            }
        }
    }
    Ok(out)
}
