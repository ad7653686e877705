//! CloudWatch metrics for the panel, all in one `GetMetricData` request per window (paged only
//! when CloudWatch says so). Ratios are computed here from raw sums, not with metric math, so the
//! error rate means the same against every CloudWatch-compatible endpoint.

use super::error::port_error;
use super::{aws_time, chrono_time, AwsEnvironment};
use app::domain::cloud::metrics::{derived_max_connections, error_rate, storage_used};
use app::domain::cloud::{MetricKind, MetricPoint};
use app::ports::{MetricReadings, PortError};
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::time::{Duration, Instant};

/// What the metric dimensions and ratios need from other APIs, looked up once an hour.
#[derive(Clone, Debug, Default)]
pub struct Discovery {
    /// `app/<name>/<id>`, the ALB's CloudWatch dimension.
    pub lb_dimension: Option<String>,
    pub allocated_gib: Option<f64>,
    pub max_connections: Option<(u32, String)>,
    pub notes: Vec<String>,
}

const DISCOVERY_TTL: Duration = Duration::from_secs(3600);

/// The queries for one window: (query id, namespace, metric, dimensions, statistic).
fn queries(
    r: &AwsEnvironment,
    d: &Discovery,
    period_s: u32,
) -> Vec<(&'static str, MetricDataQuery)> {
    let mut out = Vec::new();
    let mut add = |id: &'static str, ns: &str, name: &str, dims: Vec<(&str, &str)>, stat: &str| {
        let metric = Metric::builder()
            .namespace(ns)
            .metric_name(name)
            .set_dimensions(Some(
                dims.into_iter()
                    .map(|(k, v)| Dimension::builder().name(k).value(v).build())
                    .collect(),
            ))
            .build();
        let q = MetricDataQuery::builder()
            .id(id)
            .metric_stat(
                MetricStat::builder()
                    .metric(metric)
                    .period(period_s as i32)
                    .stat(stat)
                    .build(),
            )
            .return_data(true)
            .build();
        out.push((id, q));
    };
    if let (Some(c), Some(s)) = (r.cfg.cluster.as_deref(), r.cfg.service.as_deref()) {
        let dims = || vec![("ClusterName", c), ("ServiceName", s)];
        add("ecs_cpu", "AWS/ECS", "CPUUtilization", dims(), "Average");
        add(
            "ecs_memory",
            "AWS/ECS",
            "MemoryUtilization",
            dims(),
            "Average",
        );
    }
    if let Some(lb) = d.lb_dimension.as_deref() {
        let dims = || vec![("LoadBalancer", lb)];
        let rt_stat = r.response_time_statistic.as_str();
        add(
            "response_time",
            "AWS/ApplicationELB",
            "TargetResponseTime",
            dims(),
            rt_stat,
        );
        add(
            "requests",
            "AWS/ApplicationELB",
            "RequestCount",
            dims(),
            "Sum",
        );
        add(
            "target_5xx",
            "AWS/ApplicationELB",
            "HTTPCode_Target_5XX_Count",
            dims(),
            "Sum",
        );
        add(
            "elb_5xx",
            "AWS/ApplicationELB",
            "HTTPCode_ELB_5XX_Count",
            dims(),
            "Sum",
        );
    }
    if let Some(db) = r.cfg.db_instance.as_deref() {
        let dims = || vec![("DBInstanceIdentifier", db)];
        add("rds_cpu", "AWS/RDS", "CPUUtilization", dims(), "Average");
        add("rds_free", "AWS/RDS", "FreeStorageSpace", dims(), "Minimum");
        add(
            "rds_conns",
            "AWS/RDS",
            "DatabaseConnections",
            dims(),
            "Maximum",
        );
    }
    out
}

pub(super) async fn read(
    r: &AwsEnvironment,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    period_s: u32,
) -> Result<MetricReadings, PortError> {
    let d = discovery(r).await?;
    let queries = queries(r, &d, period_s);
    if queries.is_empty() {
        return Ok(MetricReadings {
            notes: d.notes.clone(),
            ..Default::default()
        });
    }
    // Align to whole periods so every point covers a full period and points line up across polls.
    let p = i64::from(period_s.max(1));
    let start_s = start.timestamp().div_euclid(p) * p;
    let end_s = end.timestamp().div_euclid(p) * p + p;
    let mut raw: HashMap<String, HashMap<i64, f64>> = HashMap::new();
    let mut token: Option<String> = None;
    // CloudWatch pages large answers; a handful of pages covers 10 metrics for 24 h.
    for _ in 0..10 {
        let out = r
            .cloudwatch
            .get_metric_data()
            .start_time(aws_time(start_s))
            .end_time(aws_time(end_s))
            .scan_by(ScanBy::TimestampAscending)
            .set_metric_data_queries(Some(queries.iter().map(|(_, q)| q.clone()).collect()))
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| port_error("cloudwatch:GetMetricData", e))?;
        for result in out.metric_data_results() {
            let id = result.id().unwrap_or_default().to_owned();
            let entry = raw.entry(id).or_default();
            for (t, v) in result.timestamps().iter().zip(result.values()) {
                if let Some(at) = chrono_time(t) {
                    entry.insert(at.timestamp(), *v);
                }
            }
        }
        match out.next_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_owned()),
            _ => break,
        }
    }
    let slots: Vec<i64> = (start_s..end_s).step_by(p as usize).collect();
    let get = |id: &str, t: i64| raw.get(id).and_then(|m| m.get(&t)).copied();
    let series_of = |f: &dyn Fn(i64) -> Option<f64>| -> Vec<MetricPoint> {
        slots
            .iter()
            .filter_map(|t| {
                Some(MetricPoint {
                    at: DateTime::from_timestamp(*t, 0)?,
                    value: f(*t).filter(|v| v.is_finite()),
                })
            })
            .collect()
    };
    let mut readings = MetricReadings {
        notes: d.notes.clone(),
        ..Default::default()
    };
    let has = |id: &str| queries.iter().any(|(q, _)| *q == id);
    if has("response_time") {
        readings.series.push((
            MetricKind::ResponseTime,
            series_of(&|t| get("response_time", t).map(|s| s * 1000.0)),
        ));
        readings.details.push((
            MetricKind::ResponseTime,
            format!("TargetResponseTime, {}", r.response_time_statistic),
        ));
        readings.series.push((
            MetricKind::ErrorRate,
            series_of(&|t| error_rate(get("requests", t), get("target_5xx", t), get("elb_5xx", t))),
        ));
    }
    if has("ecs_cpu") {
        readings
            .series
            .push((MetricKind::EcsCpu, series_of(&|t| get("ecs_cpu", t))));
        readings
            .series
            .push((MetricKind::EcsMemory, series_of(&|t| get("ecs_memory", t))));
    }
    if has("rds_cpu") {
        readings
            .series
            .push((MetricKind::RdsCpu, series_of(&|t| get("rds_cpu", t))));
        if let Some(gib) = d.allocated_gib {
            readings.series.push((
                MetricKind::RdsStorageUsed,
                series_of(&|t| get("rds_free", t).and_then(|free| storage_used(free, gib))),
            ));
            let free = raw
                .get("rds_free")
                .and_then(|m| m.iter().max_by_key(|(t, _)| **t).map(|(_, v)| *v));
            if let Some(free) = free {
                readings.details.push((
                    MetricKind::RdsStorageUsed,
                    format!("{:.1} GiB free of {gib:.0} GiB", free / 1024f64.powi(3)),
                ));
            }
        }
        if let Some((max, why)) = &d.max_connections {
            let max = f64::from(*max);
            readings.series.push((
                MetricKind::DbConnections,
                series_of(&|t| get("rds_conns", t).map(|c| c / max * 100.0)),
            ));
            readings
                .details
                .push((MetricKind::DbConnections, why.clone()));
        }
    }
    Ok(readings)
}

/// The ALB's metric dimension and the database's size and connection limit.
async fn discovery(r: &AwsEnvironment) -> Result<Discovery, PortError> {
    {
        let cached = r.discovery.lock().await;
        if let Some((at, d)) = cached.as_ref() {
            if at.elapsed() < DISCOVERY_TTL {
                return Ok(d.clone());
            }
        }
    }
    let mut d = Discovery::default();
    if let Some(name) = r.cfg.load_balancer.as_deref() {
        let lb = super::elb::find(r, name).await?;
        // arn:aws:elasticloadbalancing:REGION:ACCOUNT:loadbalancer/app/NAME/ID
        d.lb_dimension = lb
            .load_balancer_arn()
            .and_then(|arn| arn.split_once(":loadbalancer/"))
            .map(|(_, dim)| dim.to_owned());
    }
    if let Some(db) = r.cfg.db_instance.as_deref() {
        let inst = super::rds::instance(r, db).await?;
        d.allocated_gib = inst.allocated_storage().map(f64::from);
        let class = inst.db_instance_class().unwrap_or_default().to_owned();
        d.max_connections = match r.max_connections {
            Some(n) => Some((n, format!("of max_connections {n} (configured)"))),
            None => derived_max_connections(&class)
                .map(|n| (n, format!("of max_connections ≈{n}, derived from {class}"))),
        };
        if d.max_connections.is_none() {
            d.notes.push(format!(
                "DB connections: max_connections is not known for {class}; set aws.max_connections"
            ));
        }
    }
    *r.discovery.lock().await = Some((Instant::now(), d.clone()));
    Ok(d)
}
