//! Helpers for the AWS adapter tests: moto's address, fixed credentials, SDK clients to seed it,
//! and unique resource names so tests sharing one moto never see each other's resources.

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;
use server::aws::{AwsEnvironment, AwsOptions};
use server::config::{AwsSettings, CallLimits};
use server::metrics::Metrics;
use std::sync::Arc;

pub const REGION: &str = "us-east-1";

/// moto in server mode, started by `make test` (scripts/test-moto.sh).
pub fn moto_url() -> String {
    std::env::var("OPSDECK_TEST_MOTO").unwrap_or_else(|_| {
        panic!(
            "OPSDECK_TEST_MOTO is not set: the AWS tests need moto in server mode. `make test` \
             starts it; by hand: export OPSDECK_TEST_MOTO=$(scripts/test-moto.sh)"
        )
    })
}

/// moto accepts any credentials; the default chain must not be consulted in tests.
pub fn credentials() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new("testing", "testing", None, None, "tests"))
}

/// A name no other test uses: `conflicto-<tag>-<random>`.
pub fn unique(tag: &str) -> String {
    let id = uuid::Uuid::new_v4().simple().to_string();
    format!("conflicto-{tag}-{}", &id[..8])
}

/// The SDK configuration the seeding clients use: moto's endpoint, fixed credentials.
pub async fn sdk_config(endpoint: &str) -> aws_config::SdkConfig {
    server::aws::sdk::sdk_config(
        REGION,
        Some(endpoint),
        CallLimits::default(),
        Some(credentials()),
        server::aws::sdk::Purpose::Read,
    )
    .await
}

pub struct Seeders {
    pub ecs: aws_sdk_ecs::Client,
    pub rds: aws_sdk_rds::Client,
    pub elb: aws_sdk_elasticloadbalancingv2::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
}

pub async fn seeders(endpoint: &str) -> Seeders {
    let c = sdk_config(endpoint).await;
    Seeders {
        ecs: aws_sdk_ecs::Client::new(&c),
        rds: aws_sdk_rds::Client::new(&c),
        elb: aws_sdk_elasticloadbalancingv2::Client::new(&c),
        cloudwatch: aws_sdk_cloudwatch::Client::new(&c),
    }
}

/// Quick limits so a test of a failing peer finishes in seconds.
pub fn quick_limits() -> CallLimits {
    CallLimits {
        connect: std::time::Duration::from_millis(500),
        read: std::time::Duration::from_secs(1),
        attempt: std::time::Duration::from_secs(1),
        operation: std::time::Duration::from_secs(3),
        max_attempts: 3,
    }
}

/// An opsdeck AWS reader for `cfg`, counting its calls into the returned metrics.
pub async fn reader(
    cfg: &AwsSettings,
    limits: CallLimits,
    statistic: &str,
) -> (AwsEnvironment, Arc<Metrics>) {
    let metrics = Arc::new(Metrics::new());
    let opts = AwsOptions {
        limits,
        response_time_statistic: statistic.into(),
        metrics: metrics.clone(),
        credentials: Some(credentials()),
    };
    (AwsEnvironment::new(cfg, &opts).await, metrics)
}

/// Settings naming only the given resources, at `endpoint`.
pub fn settings(endpoint: &str) -> AwsSettings {
    AwsSettings {
        region: REGION.into(),
        endpoint_url: Some(endpoint.parse().expect("endpoint URL")),
        ..Default::default()
    }
}

/// Attempts opsdeck made to one AWS API, from its `/metrics` counters.
pub fn calls(metrics: &Metrics, operation: &str) -> u64 {
    let needle = format!("upstream=\"aws\",operation=\"{operation}\"}} ");
    metrics
        .encode()
        .lines()
        .find_map(|l| {
            l.split_once(&needle)
                .map(|(_, n)| n.trim().parse().unwrap_or(0))
        })
        .unwrap_or(0)
}

/// The default VPC's subnets and id in moto's us-east-1. EC2 is only needed to seed a load
/// balancer, so it is asked over plain HTTP rather than through another SDK crate.
pub async fn default_subnets(endpoint: &str) -> (String, Vec<String>) {
    let body = reqwest::Client::new()
        .post(format!("{endpoint}/"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
        )
        .form(&[("Action", "DescribeSubnets"), ("Version", "2016-11-15")])
        .send()
        .await
        .expect("moto ec2:DescribeSubnets")
        .text()
        .await
        .expect("subnets body");
    let subnets: Vec<String> = regex::Regex::new(r"<subnetId>(subnet-[0-9a-f]+)</subnetId>")
        .expect("regex")
        .captures_iter(&body)
        .map(|c| c[1].to_owned())
        .take(2)
        .collect();
    let vpc = regex::Regex::new(r"<vpcId>(vpc-[0-9a-f]+)</vpcId>")
        .expect("regex")
        .captures(&body)
        .map(|c| c[1].to_owned())
        .expect("a default VPC in moto");
    assert_eq!(subnets.len(), 2, "moto's default VPC has subnets: {body}");
    (vpc, subnets)
}

/// A security group in `vpc`, made in moto's EC2 over plain HTTP like the subnets.
pub async fn security_group(moto: &str, vpc: &str, name: &str) -> String {
    let body = reqwest::Client::new()
        .post(format!("{moto}/"))
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=0",
        )
        .form(&[
            ("Action", "CreateSecurityGroup"),
            ("Version", "2016-11-15"),
            ("GroupName", name),
            ("GroupDescription", "Conflicto's database"),
            ("VpcId", vpc),
        ])
        .send()
        .await
        .expect("moto ec2:CreateSecurityGroup")
        .text()
        .await
        .expect("body");
    regex::Regex::new(r"<groupId>(sg-[0-9a-f]+)</groupId>")
        .expect("regex")
        .captures(&body)
        .map(|c| c[1].to_owned())
        .unwrap_or_else(|| panic!("a security group id in {body}"))
}

/// A PostgreSQL instance `id` with a week of automated backups, in moto's RDS.
pub async fn seed_database(s: &Seeders, id: &str) {
    s.rds
        .create_db_instance()
        .db_instance_identifier(id)
        .db_instance_class("db.t3.micro")
        .engine("postgres")
        .allocated_storage(20)
        .master_username("conflicto")
        .master_user_password("not-a-real-password")
        .backup_retention_period(7)
        .send()
        .await
        .expect("create db instance");
}
