//! The read replica beside the backups, through the real SDK against moto: an instance with a
//! replica made by `CreateDBInstanceReadReplica`, its `ReplicaLag` put into CloudWatch as RDS
//! would publish it, read back with the replica's state.

use app::domain::Level;
use app::ports::CloudReader;
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_smithy_types::DateTime as AwsTime;
use opsdeck_tests::aws::{
    moto_url, quick_limits, reader, seed_database, seeders, settings, unique,
};

#[tokio::test]
async fn a_read_replica_is_read_with_its_state_and_lag() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let (db, replica) = (unique("db"), unique("db-replica"));
    seed_database(&s, &db).await;
    s.rds
        .create_db_instance_read_replica()
        .db_instance_identifier(&replica)
        .source_db_instance_identifier(&db)
        .send()
        .await
        .expect("create read replica");
    let now = chrono::Utc::now().timestamp();
    s.cloudwatch
        .put_metric_data()
        .namespace("AWS/RDS")
        .metric_data(
            MetricDatum::builder()
                .metric_name("ReplicaLag")
                .dimensions(
                    Dimension::builder()
                        .name("DBInstanceIdentifier")
                        .value(&replica)
                        .build(),
                )
                .timestamp(AwsTime::from_secs(now - 30))
                .value(95.0)
                .unit(StandardUnit::Seconds)
                .build(),
        )
        .send()
        .await
        .expect("put ReplicaLag");

    let mut cfg = settings(&moto);
    cfg.db_instance = Some(db.clone());
    let (r, _) = reader(&cfg, quick_limits(), "Average").await;
    let panel = r.backups(26 * 3600).await.expect("backups panel");

    assert_eq!(panel.replicas.len(), 1, "{panel:#?}");
    let rep = &panel.replicas[0];
    assert_eq!(rep.id, replica);
    assert_eq!(rep.status.as_deref(), Some("available"));
    assert_eq!(rep.lag_s, Some(95.0));
    assert_eq!(rep.level(), Level::Warning, "over a minute behind");
}
