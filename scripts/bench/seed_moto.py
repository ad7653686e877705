"""Seed moto with the runbook's production resources (ECS service, RDS instance, ALB with targets,
an hour of CloudWatch datapoints) so `opsdeck serve` can poll them during the AWS benchmark.
Run with the moto venv's Python (it has boto3): seed_moto.py ENDPOINT_URL"""
import datetime as dt
import sys

import boto3

url = sys.argv[1]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
ecs, rds, elb, ec2, cw, logs = (boto3.client(s, **kw) for s in ("ecs", "rds", "elbv2", "ec2", "cloudwatch", "logs"))

ecs.create_cluster(clusterName="conflicto-prod-cluster")
td = ecs.register_task_definition(
    family="conflicto-prod",
    containerDefinitions=[{"name": "conflicto-backend", "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/conflicto-backend:v1.4.2", "memory": 512}],
)["taskDefinition"]["taskDefinitionArn"]
ecs.create_service(cluster="conflicto-prod-cluster", serviceName="conflicto-prod-svc", taskDefinition=td, desiredCount=2)

rds.create_db_instance(DBInstanceIdentifier="conflicto-prod", DBInstanceClass="db.t3.micro", Engine="postgres",
                       AllocatedStorage=20, MasterUsername="conflicto", MasterUserPassword="not-a-real-password",
                       BackupRetentionPeriod=7)

subnets = ec2.describe_subnets()["Subnets"][:2]
lb = elb.create_load_balancer(Name="conflicto-prod-alb", Subnets=[s["SubnetId"] for s in subnets])["LoadBalancers"][0]
tg = elb.create_target_group(Name="conflicto-prod-tg", Protocol="HTTP", Port=8000, VpcId=subnets[0]["VpcId"],
                             TargetType="ip")["TargetGroups"][0]
elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                    DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "172.31.0.10", "Port": 8000}, {"Id": "172.31.0.11", "Port": 8000}])

dim = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
now = dt.datetime.now(dt.timezone.utc).replace(second=0, microsecond=0)
for m in range(60):
    t = now - dt.timedelta(minutes=m)
    cw.put_metric_data(Namespace="AWS/ECS", MetricData=[
        {"MetricName": n, "Timestamp": t, "Value": v, "Unit": "Percent",
         "Dimensions": [{"Name": "ClusterName", "Value": "conflicto-prod-cluster"}, {"Name": "ServiceName", "Value": "conflicto-prod-svc"}]}
        for n, v in (("CPUUtilization", 30 + m % 7), ("MemoryUtilization", 55.0))])
    cw.put_metric_data(Namespace="AWS/ApplicationELB", MetricData=[
        {"MetricName": n, "Timestamp": t, "Value": v, "Dimensions": [{"Name": "LoadBalancer", "Value": dim}]}
        for n, v in (("RequestCount", 1200.0), ("HTTPCode_Target_5XX_Count", 2.0), ("TargetResponseTime", 0.2))])
    cw.put_metric_data(Namespace="AWS/RDS", MetricData=[
        {"MetricName": n, "Timestamp": t, "Value": v, "Dimensions": [{"Name": "DBInstanceIdentifier", "Value": "conflicto-prod"}]}
        for n, v in (("CPUUtilization", 18.0), ("FreeStorageSpace", 12 * 1024**3), ("DatabaseConnections", 40.0))])
# The application's log group, with a few lines for the log searches to count.
logs.create_log_group(logGroupName="/ecs/conflicto-prod")
logs.create_log_stream(logGroupName="/ecs/conflicto-prod", logStreamName="conflicto-backend/1")
stamp = int(dt.datetime.now(dt.timezone.utc).timestamp() * 1000)
logs.put_log_events(logGroupName="/ecs/conflicto-prod", logStreamName="conflicto-backend/1", logEvents=[
    {"timestamp": stamp - 60_000 * (3 - i), "message": m}  # oldest first, as PutLogEvents wants
    for i, m in enumerate(["INFO GET /api/v1/polls 200", "ERROR database timeout", "INFO GET /health 200"])])
print("seeded")
