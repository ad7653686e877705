//! The AWS adapter through the real SDK clients against moto in server mode on loopback: resources
//! are seeded through the SDK, then read back through opsdeck's `CloudReader` port.
//! moto does not emulate ECS service events, CloudWatch percentiles or unhealthy targets; those are
//! covered in `aws_peers.rs` with recorded answers of the documented shape.

use app::domain::cloud::MetricKind;
use app::domain::Level;
use app::ports::{CloudReader, ExecutionContext, PortError};
use aws_sdk_cloudwatch::types::{Dimension, MetricDatum, StandardUnit};
use aws_sdk_ecs::types::ContainerDefinition;
use aws_smithy_types::DateTime as AwsTime;
use chrono::{Duration, DurationRound, Utc};
use opsdeck_tests::aws::{
    calls, default_subnets, moto_url, reader, security_group, seed_database, seeders, settings,
    unique, Seeders,
};
use server::config::CallLimits;
use std::sync::Arc;

/// A cluster with a service of `desired` tasks whose task definition runs `image`.
async fn seed_service(s: &Seeders, cluster: &str, service: &str, image: &str, desired: i32) {
    s.ecs
        .create_cluster()
        .cluster_name(cluster)
        .send()
        .await
        .expect("create cluster");
    let td = s
        .ecs
        .register_task_definition()
        .family(service)
        .container_definitions(
            ContainerDefinition::builder()
                .name("conflicto-backend")
                .image(image)
                .memory(512)
                .build(),
        )
        .container_definitions(
            ContainerDefinition::builder()
                .name("log-router")
                .image("public.ecr.aws/aws-observability/aws-for-fluent-bit:2.32.0")
                .memory(64)
                .build(),
        )
        .send()
        .await
        .expect("register task definition");
    let arn = td
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("task definition arn")
        .to_owned();
    s.ecs
        .create_service()
        .cluster(cluster)
        .service_name(service)
        .task_definition(arn)
        .desired_count(desired)
        .send()
        .await
        .expect("create service");
}

#[tokio::test]
async fn ecs_panel_shows_the_service_its_counts_and_the_image_tag() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let (cluster, service) = (unique("cluster"), unique("svc"));
    let image = "123456789012.dkr.ecr.us-east-1.amazonaws.com/conflicto-backend:v1.4.2";
    seed_service(&s, &cluster, &service, image, 2).await;

    let mut cfg = settings(&moto);
    cfg.cluster = Some(cluster.clone());
    cfg.service = Some(service.clone());
    cfg.container = Some("conflicto-backend".into());
    let (r, metrics) = reader(&cfg, CallLimits::default(), "Average").await;
    let panel = r.ecs().await.expect("ECS panel");

    assert_eq!(panel.service, service);
    assert_eq!(panel.status, "ACTIVE");
    assert_eq!(panel.desired, 2);
    // scripts/test-moto.sh runs moto with MOTO_ECS_SERVICE_RUNNING=2.
    assert_eq!(panel.running, 2);
    assert_eq!(panel.level(), Level::Ok);
    let td = panel.task_definition.expect("task definition");
    assert_eq!((td.family.as_str(), td.revision), (service.as_str(), 1));
    assert_eq!(
        td.image_tag(),
        Some("v1.4.2"),
        "the configured container's image, not the sidecar's"
    );
    assert!(panel.deployments.iter().any(|d| d.status == "PRIMARY"));
    assert!(panel
        .console_url
        .contains(&format!("/clusters/{cluster}/services/{service}")));

    // A task definition revision is immutable: asked once, then remembered.
    r.ecs().await.expect("second read");
    assert_eq!(calls(&metrics, "ecs:DescribeServices"), 2);
    assert_eq!(calls(&metrics, "ecs:DescribeTaskDefinition"), 1);
}

#[tokio::test]
async fn missing_cluster_and_service_are_named_in_words() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let mut cfg = settings(&moto);
    cfg.cluster = Some("conflicto-prod-cluster-gone".into());
    cfg.service = Some("conflicto-prod-svc".into());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    match r.ecs().await {
        Err(PortError::NotFound(m)) => assert_eq!(
            m,
            "cluster conflicto-prod-cluster-gone not found in us-east-1"
        ),
        other => panic!("expected not found, got {other:?}"),
    }

    let cluster = unique("cluster");
    s.ecs
        .create_cluster()
        .cluster_name(&cluster)
        .send()
        .await
        .expect("cluster");
    cfg.cluster = Some(cluster.clone());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    match r.ecs().await {
        Err(PortError::NotFound(m)) => {
            assert!(
                m.starts_with(&format!(
                    "service conflicto-prod-svc not found in cluster {cluster}"
                )),
                "{m}"
            )
        }
        other => panic!("expected not found, got {other:?}"),
    }
}

#[tokio::test]
async fn backups_panel_lists_automated_and_manual_snapshots_with_their_age() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let db = unique("db");
    seed_database(&s, &db).await;
    let manual = format!("{db}-before-migration");
    s.rds
        .create_db_snapshot()
        .db_instance_identifier(&db)
        .db_snapshot_identifier(&manual)
        .send()
        .await
        .expect("manual snapshot");

    let mut cfg = settings(&moto);
    cfg.db_instance = Some(db.clone());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    let panel = r.backups(26 * 3600).await.expect("backups panel");

    assert_eq!(panel.instance, db);
    assert_eq!(panel.instance_class.as_deref(), Some("db.t3.micro"));
    assert_eq!(panel.retention_days, Some(7));
    // moto takes one automated snapshot when the instance is created.
    assert_eq!(panel.automated.len(), 1, "{:?}", panel.automated);
    let newest = panel
        .newest_completed()
        .expect("a completed automated snapshot");
    assert_eq!(newest.status, "available");
    let now = Utc::now();
    assert!(
        !panel.overdue(now),
        "a snapshot taken just now is not overdue"
    );
    assert_eq!(panel.level(now), Level::Ok);
    // The same snapshot, judged a day and a half later, is overdue against the 26 h default.
    assert!(panel.overdue(now + Duration::hours(36)));
    assert_eq!(
        panel
            .manual
            .iter()
            .map(|m| m.id.as_str())
            .collect::<Vec<_>>(),
        vec![manual.as_str()]
    );

    let mut gone = settings(&moto);
    gone.db_instance = Some("conflicto-nowhere".into());
    let (r, _) = reader(&gone, CallLimits::default(), "Average").await;
    match r.backups(3600).await {
        Err(PortError::NotFound(m)) => {
            assert_eq!(m, "DB instance conflicto-nowhere not found in us-east-1")
        }
        other => panic!("expected not found, got {other:?}"),
    }
}

/// A load balancer with one target group of two registered targets; returns its ARN.
async fn seed_load_balancer(s: &Seeders, moto: &str, name: &str) -> String {
    let (vpc, subnets) = default_subnets(moto).await;
    let lb = s
        .elb
        .create_load_balancer()
        .name(name)
        .set_subnets(Some(subnets))
        .send()
        .await
        .expect("create load balancer");
    let lb_arn = lb.load_balancers()[0]
        .load_balancer_arn()
        .expect("arn")
        .to_owned();
    let tg = s
        .elb
        .create_target_group()
        .name(format!("{}-tg", &name[..name.len().min(28)]))
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(8000)
        .vpc_id(vpc)
        .target_type(aws_sdk_elasticloadbalancingv2::types::TargetTypeEnum::Ip)
        .send()
        .await
        .expect("create target group");
    let tg_arn = tg.target_groups()[0]
        .target_group_arn()
        .expect("tg arn")
        .to_owned();
    s.elb
        .create_listener()
        .load_balancer_arn(&lb_arn)
        .protocol(aws_sdk_elasticloadbalancingv2::types::ProtocolEnum::Http)
        .port(80)
        .default_actions(
            aws_sdk_elasticloadbalancingv2::types::Action::builder()
                .r#type(aws_sdk_elasticloadbalancingv2::types::ActionTypeEnum::Forward)
                .target_group_arn(&tg_arn)
                .build(),
        )
        .send()
        .await
        .expect("listener");
    for ip in ["172.31.0.10", "172.31.0.11"] {
        s.elb
            .register_targets()
            .target_group_arn(&tg_arn)
            .targets(
                aws_sdk_elasticloadbalancingv2::types::TargetDescription::builder()
                    .id(ip)
                    .port(8000)
                    .build(),
            )
            .send()
            .await
            .expect("register target");
    }
    lb_arn
}

#[tokio::test]
async fn load_balancer_panel_shows_state_dns_and_target_counts() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let name = unique("alb");
    seed_load_balancer(&s, &moto, &name).await;
    let mut cfg = settings(&moto);
    cfg.load_balancer = Some(name.clone());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    let panel = r.load_balancer().await.expect("load balancer panel");
    assert_eq!(panel.name, name);
    assert_eq!(panel.state, "active");
    assert!(panel.dns_name.contains(&name), "{}", panel.dns_name);
    assert_eq!(panel.target_groups.len(), 1);
    let tg = &panel.target_groups[0];
    // moto reports every registered target as healthy (it cannot make one unhealthy).
    assert_eq!(tg.total(), 2, "{tg:?}");
    assert_eq!(panel.level(), Level::Ok);

    cfg.load_balancer = Some("conflicto-no-such-alb".into());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    match r.load_balancer().await {
        Err(PortError::NotFound(m)) => assert_eq!(
            m,
            "load balancer conflicto-no-such-alb not found in us-east-1"
        ),
        other => panic!("expected not found, got {other:?}"),
    }
}

/// AWS (and moto) answer TargetGroupNotFound for a balancer without target groups: the panel shows
/// the balancer, sending traffic nowhere — down — rather than an error.
#[tokio::test]
async fn a_load_balancer_without_target_groups_is_shown_down_not_as_an_error() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let name = unique("bare");
    let (_, subnets) = default_subnets(&moto).await;
    s.elb
        .create_load_balancer()
        .name(&name)
        .set_subnets(Some(subnets))
        .send()
        .await
        .expect("create load balancer");
    let mut cfg = settings(&moto);
    cfg.load_balancer = Some(name.clone());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    let panel = r.load_balancer().await.expect("the panel, not an error");
    assert_eq!(panel.name, name);
    assert!(panel.target_groups.is_empty());
    assert_eq!(panel.level(), Level::Critical, "nothing receives traffic");
}

fn datum(
    name: &str,
    dims: &[(&str, &str)],
    at: chrono::DateTime<Utc>,
    value: f64,
    unit: StandardUnit,
) -> MetricDatum {
    let mut d = MetricDatum::builder()
        .metric_name(name)
        .timestamp(AwsTime::from_secs(at.timestamp()))
        .value(value)
        .unit(unit);
    for (k, v) in dims {
        d = d.dimensions(Dimension::builder().name(*k).value(*v).build());
    }
    d.build()
}

#[tokio::test]
async fn metrics_panel_computes_rates_and_shares_from_one_get_metric_data_call() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let (cluster, service, db, lb) = (
        unique("cluster"),
        unique("svc"),
        unique("db"),
        unique("alb"),
    );
    seed_database(&s, &db).await;
    let lb_arn = seed_load_balancer(&s, &moto, &lb).await;
    let lb_dim = lb_arn
        .split_once(":loadbalancer/")
        .expect("alb arn")
        .1
        .to_owned();
    // Whole minutes, a few minutes back, so every point lands in a full period.
    let minute = Utc::now()
        .duration_trunc(Duration::minutes(1))
        .expect("trunc")
        - Duration::minutes(3);
    let ecs_dims = [
        ("ClusterName", cluster.as_str()),
        ("ServiceName", service.as_str()),
    ];
    let lb_dims = [("LoadBalancer", lb_dim.as_str())];
    let db_dims = [("DBInstanceIdentifier", db.as_str())];
    let put = |ns: &str, data: Vec<MetricDatum>| {
        s.cloudwatch
            .put_metric_data()
            .namespace(ns)
            .set_metric_data(Some(data))
            .send()
    };
    put(
        "AWS/ECS",
        vec![
            datum(
                "CPUUtilization",
                &ecs_dims,
                minute,
                75.0,
                StandardUnit::Percent,
            ),
            datum(
                "MemoryUtilization",
                &ecs_dims,
                minute,
                50.0,
                StandardUnit::Percent,
            ),
        ],
    )
    .await
    .expect("put ECS");
    put(
        "AWS/ApplicationELB",
        vec![
            datum(
                "RequestCount",
                &lb_dims,
                minute,
                2000.0,
                StandardUnit::Count,
            ),
            datum(
                "HTTPCode_Target_5XX_Count",
                &lb_dims,
                minute,
                30.0,
                StandardUnit::Count,
            ),
            datum(
                "HTTPCode_ELB_5XX_Count",
                &lb_dims,
                minute,
                10.0,
                StandardUnit::Count,
            ),
            datum(
                "TargetResponseTime",
                &lb_dims,
                minute,
                2.5,
                StandardUnit::Seconds,
            ),
            // The minute before had traffic and no 5XX datapoints at all, as CloudWatch reports it.
            datum(
                "RequestCount",
                &lb_dims,
                minute - Duration::minutes(1),
                1000.0,
                StandardUnit::Count,
            ),
        ],
    )
    .await
    .expect("put ALB");
    put(
        "AWS/RDS",
        vec![
            datum(
                "CPUUtilization",
                &db_dims,
                minute,
                20.0,
                StandardUnit::Percent,
            ),
            datum(
                "FreeStorageSpace",
                &db_dims,
                minute,
                5.0 * 1024f64.powi(3),
                StandardUnit::Bytes,
            ),
            datum(
                "DatabaseConnections",
                &db_dims,
                minute,
                56.0,
                StandardUnit::Count,
            ),
        ],
    )
    .await
    .expect("put RDS");

    let mut cfg = settings(&moto);
    cfg.cluster = Some(cluster);
    cfg.service = Some(service);
    cfg.db_instance = Some(db);
    cfg.load_balancer = Some(lb);
    let (r, metrics) = reader(&cfg, CallLimits::default(), "Average").await;
    let now = Utc::now();
    let readings = r
        .metrics(now - Duration::hours(1), now, 60)
        .await
        .expect("metrics");
    let at = |kind: MetricKind, t: chrono::DateTime<Utc>| {
        readings
            .series
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap_or_else(|| panic!("no {kind:?} series in {:?}", readings.series))
            .1
            .iter()
            .find(|p| p.at == t)
            .and_then(|p| p.value)
    };
    assert_eq!(at(MetricKind::EcsCpu, minute), Some(75.0));
    assert_eq!(at(MetricKind::EcsMemory, minute), Some(50.0));
    assert_eq!(
        at(MetricKind::ResponseTime, minute),
        Some(2500.0),
        "seconds become milliseconds"
    );
    assert_eq!(
        at(MetricKind::ErrorRate, minute),
        Some(2.0),
        "(30 + 10) / 2000"
    );
    assert_eq!(
        at(MetricKind::ErrorRate, minute - Duration::minutes(1)),
        Some(0.0),
        "no 5XX datapoint means none"
    );
    assert_eq!(
        at(MetricKind::ErrorRate, minute - Duration::minutes(30)),
        None,
        "no traffic, no rate"
    );
    assert_eq!(at(MetricKind::RdsCpu, minute), Some(20.0));
    assert_eq!(
        at(MetricKind::RdsStorageUsed, minute),
        Some(75.0),
        "5 GiB free of 20 GiB"
    );
    assert_eq!(
        at(MetricKind::DbConnections, minute),
        Some(50.0),
        "56 of db.t3.micro's 112"
    );
    let detail = |k| {
        readings
            .details
            .iter()
            .find(|(kind, _)| *kind == k)
            .map(|(_, d)| d.clone())
    };
    assert_eq!(
        detail(MetricKind::DbConnections).as_deref(),
        Some("of max_connections ≈112, derived from db.t3.micro")
    );
    // An hour at one-minute points: 60 or 61 slots depending on where the window starts.
    let n = readings.series[0].1.len();
    assert!((60..=61).contains(&n), "{n} points");

    // Judged with the runbook's levels: response time 2.5 s is a warning, error rate 2 % too.
    let t = server::config::ThresholdSettings::default();
    let panel =
        app::usecases::cloud_metrics::metrics_panel(&readings, None, 900, |k| t.for_metric(k));
    assert_eq!(
        panel.get(MetricKind::ResponseTime).expect("rt").level(),
        Level::Warning
    );
    assert_eq!(
        panel.get(MetricKind::ErrorRate).expect("er").level(),
        Level::Warning
    );
    assert_eq!(
        panel.get(MetricKind::EcsCpu).expect("cpu").level(),
        Level::Warning
    );
    assert_eq!(
        panel.get(MetricKind::DbConnections).expect("db").level(),
        Level::Ok
    );

    // All nine queries (ECS 2, load balancer 4, RDS 3) in one GetMetricData request; the
    // dimensions looked up once.
    assert_eq!(calls(&metrics, "cloudwatch:GetMetricData"), 1);
    r.metrics(now - Duration::hours(1), now, 60)
        .await
        .expect("again");
    assert_eq!(calls(&metrics, "cloudwatch:GetMetricData"), 2);
    assert_eq!(
        calls(&metrics, "elasticloadbalancing:DescribeLoadBalancers"),
        1
    );
    assert_eq!(calls(&metrics, "rds:DescribeDBInstances"), 1);
}

/// Change control's AWS calls against moto: scale, stop writes (0), force a new deployment,
/// restore into a new instance (never the existing one), and the reads that verify them.
#[tokio::test]
async fn actions_scale_restart_and_restore_through_the_sdk() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let (cluster, service, db) = (unique("cluster"), unique("svc"), unique("db"));
    seed_service(&s, &cluster, &service, "conflicto-backend:v1.4.2", 2).await;
    seed_database(&s, &db).await;
    let snapshot = format!("{db}-snap");
    s.rds
        .create_db_snapshot()
        .db_instance_identifier(&db)
        .db_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("snapshot");
    let mut cfg = settings(&moto);
    cfg.cluster = Some(cluster.clone());
    cfg.service = Some(service.clone());
    cfg.db_instance = Some(db.clone());
    let (r, metrics) = reader(&cfg, CallLimits::default(), "Average").await;

    let said = r.set_desired(5).await.expect("scale");
    assert!(said.contains("now wants 5 tasks"), "{said}");
    let described = s
        .ecs
        .describe_services()
        .cluster(&cluster)
        .services(&service)
        .send()
        .await
        .expect("describe");
    assert_eq!(
        described.services()[0].desired_count(),
        5,
        "AWS has the new desired count"
    );
    r.set_desired(0).await.expect("stop writes");
    assert_eq!(r.describe_counts().await.expect("counts").0, 0);
    let said = r.force_new_deployment().await.expect("restart");
    assert!(said.starts_with("ECS started a new deployment"), "{said}");
    assert_eq!(calls(&metrics, "ecs:UpdateService"), 3);

    let ctx = |id: i64| ExecutionContext {
        request_id: id,
        requester: "Ada <Admin>".into(),
        token: None,
    };
    let copy = r.restore_copy().await.expect("the source's settings");
    let new = format!("{db}-recovery");
    let said = r
        .restore(&snapshot, &new, &copy, &ctx(7))
        .await
        .expect("restore");
    assert!(said.contains(&format!("into {new}")), "{said}");
    assert!(
        r.instance_status(&new).await.is_ok(),
        "the new instance exists"
    );
    match r.restore(&snapshot, &db, &copy, &ctx(8)).await {
        Err(PortError::Conflict(m)) => assert!(m.contains("existing database"), "{m}"),
        other => panic!("restoring over the existing database must be refused: {other:?}"),
    }
    match r
        .restore("no-such-snapshot", &format!("{db}-other"), &copy, &ctx(9))
        .await
    {
        Err(e) => {
            assert!(
                e.detail().contains("rds:RestoreDBInstanceFromDBSnapshot"),
                "{e:?}"
            );
            assert!(
                !matches!(e, PortError::OutcomeUnknown(_)),
                "AWS's definite refusal (4xx) is a failure, not an unknown outcome: {e:?}"
            );
        }
        Ok(s) => panic!("a missing snapshot must fail: {s}"),
    }
    assert_eq!(
        calls(&metrics, "rds:RestoreDBInstanceFromDBSnapshot"),
        2,
        "each restore sent once; the one over the existing database never left opsdeck"
    );
}

/// A restore lands in the source database's network with its settings, not in the default VPC:
/// the new instance is read back from moto and checked attribute by attribute.
#[tokio::test]
async fn a_restore_copies_the_source_databases_network_and_settings() {
    let moto = moto_url();
    let s = seeders(&moto).await;
    let db = unique("db");
    let (vpc, subnets) = default_subnets(&moto).await;
    let sg = security_group(&moto, &vpc, &unique("sg")).await;
    let subnet_group = unique("subnets");
    s.rds
        .create_db_subnet_group()
        .db_subnet_group_name(&subnet_group)
        .db_subnet_group_description("Conflicto's database subnets")
        .set_subnet_ids(Some(subnets))
        .send()
        .await
        .expect("subnet group");
    let params = unique("pg16");
    s.rds
        .create_db_parameter_group()
        .db_parameter_group_name(&params)
        .db_parameter_group_family("postgres16")
        .description("Conflicto's parameters")
        .send()
        .await
        .expect("parameter group");
    s.rds
        .create_db_instance()
        .db_instance_identifier(&db)
        .db_instance_class("db.m6g.large")
        .engine("postgres")
        .allocated_storage(100)
        .storage_type("io1")
        .iops(3000)
        .multi_az(true)
        .db_subnet_group_name(&subnet_group)
        .vpc_security_group_ids(&sg)
        .db_parameter_group_name(&params)
        .master_username("conflicto")
        .master_user_password("not-a-real-password")
        .send()
        .await
        .expect("source instance");
    let snapshot = format!("{db}-snap");
    s.rds
        .create_db_snapshot()
        .db_instance_identifier(&db)
        .db_snapshot_identifier(&snapshot)
        .send()
        .await
        .expect("snapshot");
    let mut cfg = settings(&moto);
    cfg.db_instance = Some(db.clone());
    let (r, _) = reader(&cfg, CallLimits::default(), "Average").await;
    let copy = r.restore_copy().await.expect("the source's settings");
    assert_eq!(copy.source_instance, db);
    assert_eq!(copy.subnet_group.as_deref(), Some(subnet_group.as_str()));
    assert_eq!(copy.security_groups, vec![sg.clone()]);
    assert_eq!(copy.parameter_group.as_deref(), Some(params.as_str()));
    assert_eq!(copy.instance_class.as_deref(), Some("db.m6g.large"));
    assert!(copy.multi_az);
    assert_eq!(copy.storage_type.as_deref(), Some("io1"));

    let new = format!("{db}-recovery");
    let ctx = ExecutionContext {
        request_id: 42,
        requester: "Ada Admin".into(),
        token: None,
    };
    r.restore(&snapshot, &new, &copy, &ctx)
        .await
        .expect("restore");
    let got = s
        .rds
        .describe_db_instances()
        .db_instance_identifier(&new)
        .send()
        .await
        .expect("the new instance");
    let i = &got.db_instances()[0];
    assert_eq!(
        i.db_subnet_group().and_then(|g| g.db_subnet_group_name()),
        Some(subnet_group.as_str()),
        "in the source's subnets"
    );
    let groups: Vec<&str> = i
        .vpc_security_groups()
        .iter()
        .filter_map(|g| g.vpc_security_group_id())
        .collect();
    assert_eq!(
        groups,
        vec![sg.as_str()],
        "behind the source's security group"
    );
    assert_eq!(
        i.db_parameter_groups()
            .first()
            .and_then(|g| g.db_parameter_group_name()),
        Some(params.as_str())
    );
    assert_eq!(i.db_instance_class(), Some("db.m6g.large"));
    assert_eq!(i.multi_az(), Some(true));
    assert_eq!(i.storage_type(), Some("io1"));
    assert_eq!(i.deletion_protection(), Some(true));
    // moto neither reports PubliclyAccessible nor applies a false override (it copies only
    // truthy ones): `exactly_once.rs` checks that the request sends PubliclyAccessible=false.
    let tags: Vec<(String, String)> = i
        .tag_list()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_owned(),
                t.value().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    for (k, v) in [
        ("opsdeck-request", "42"),
        ("opsdeck-requester", "Ada Admin"),
        ("opsdeck-restored-from", db.as_str()),
    ] {
        assert!(
            tags.contains(&(k.to_owned(), v.to_owned())),
            "tag {k}={v} in {tags:?}"
        );
    }
}

/// Terraform's S3-backend lock table, against moto's DynamoDB: no item, no lock; the item a
/// running `terraform apply` writes is read back with who holds it and the id to force-unlock.
#[tokio::test]
async fn the_terraform_state_lock_is_read_from_its_dynamodb_table() {
    use app::ports::TerraformLocks;
    use aws_sdk_dynamodb::types::{
        AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType,
        ScalarAttributeType,
    };
    let moto = moto_url();
    let ddb = aws_sdk_dynamodb::Client::new(&opsdeck_tests::aws::sdk_config(&moto).await);
    let table = unique("tflocks");
    ddb.create_table()
        .table_name(&table)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("LockID")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("LockID")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("create the lock table");
    let state = "conflicto-tfstate/iac/environments/prod/terraform.tfstate";
    let cfg = server::config::TerraformSettings {
        region: "us-east-1".into(),
        table: table.clone(),
        state: state.into(),
        endpoint_url: Some(moto.parse().unwrap()),
    };
    let metrics = Arc::new(server::metrics::Metrics::new());
    let locks = server::aws::terraform::DynamoLocks::new(
        &cfg,
        CallLimits::default(),
        metrics.clone(),
        Some(opsdeck_tests::aws::credentials()),
    )
    .await;
    assert_eq!(locks.lock().await.expect("read"), None, "no lock held");

    let info = serde_json::json!({
        "ID": "8c1b4f5e-21b6-f7a4-2f47-2a1e0b0d9b11", "Operation": "OperationTypeApply",
        "Who": "priya@build-runner-7", "Version": "1.9.8",
        "Created": "2026-12-02T06:58:11.123Z", "Path": state, "Info": ""
    });
    ddb.put_item()
        .table_name(&table)
        .item("LockID", AttributeValue::S(state.into()))
        .item("Info", AttributeValue::S(info.to_string()))
        .send()
        .await
        .expect("a held lock");
    let held = locks.lock().await.expect("read").expect("a lock");
    assert_eq!(held.id, "8c1b4f5e-21b6-f7a4-2f47-2a1e0b0d9b11");
    assert_eq!(held.who, "priya@build-runner-7");
    assert_eq!(held.operation, "OperationTypeApply");
    assert_eq!(held.path, state);
    assert!(held.created.is_some());
    assert_eq!(calls(&metrics, "dynamodb:GetItem"), 2);

    let missing = server::config::TerraformSettings {
        table: "no-such-table".into(),
        ..cfg
    };
    let locks = server::aws::terraform::DynamoLocks::new(
        &missing,
        CallLimits::default(),
        metrics,
        Some(opsdeck_tests::aws::credentials()),
    )
    .await;
    match locks.lock().await {
        Err(e) => assert!(e.detail().contains("no-such-table"), "{e:?}"),
        Ok(l) => panic!("a missing table is an error in words, not {l:?}"),
    }
}
