"""Make moto 5.2.5 behave like AWS where dynaguard depends on it. Entry point: apply_patches().

The product code is written for real AWS; this module bends the emulator, never the product.
The patches change moto's classes (backends and response handlers), so they hold for
``moto.mock_aws`` and for ``moto.server.ThreadedMotoServer`` running in the same process.

Gap (what moto does)                              -> What AWS does (and the patch now does)
--------------------------------------------------  -------------------------------------------
DDB-1 UpdateTable ignores SSESpecification        -> switches the key: Enabled false = AWS owned
                                                     key (no SSEDescription); Enabled true = KMS
                                                     with the given key or the AWS managed key;
                                                     SSEDescription {Status ENABLED, SSEType KMS,
                                                     KMSMasterKeyArn <the key's ARN>}
DDB-2 CreateTable echoes a key id/alias, accepts  -> stores and reports the key ARN; an unknown
      a missing key                                  or disabled key, or a key ARN in another
                                                     region, is a ValidationException
DDB-3 UpdateTable ignores ReplicaUpdates          -> Create: a real table in the replica region
                                                     (same schema/indexes/billing/TTL, its own
                                                     SSE: the KMSMasterKeyId given, else the
                                                     source's kind of key; a source on a customer
                                                     key requires one per replica; PITR off, no
                                                     tags, no deletion protection; streams
                                                     NEW_AND_OLD_IMAGES turned on when off);
                                                     provisioned source needs write autoscaling;
                                                     Update: KMSMasterKeyId, read override;
                                                     Delete: drops the replica table
DDB-4 DescribeTable has no Replicas[]              -> every member region lists the OTHER members:
                                                     RegionName, ReplicaStatus ACTIVE,
                                                     KMSMasterKeyId (customer key only), and
                                                     GlobalTableVersion "2019.11.21"
DDB-5 DeleteTable of a member leaves the group    -> the other members stop listing it
DDB-6 Resource policy calls on a stream ARN take  -> stream policies work (Get/Put/Delete);
      the stream label as the table name             no policy is PolicyNotFoundException (also
      (ResourceNotFoundException)                    on DeleteResourcePolicy); unknown table or
                                                     stale stream is ResourceNotFoundException
KMS-1 alias/aws/* keys: KeyManager CUSTOMER,      -> KeyManager AWS, KeyRotationEnabled true;
      rotation off                                   created on first use (DescribeKey of the
                                                     alias, or SSE KMS without a key id)
DAX-1 CreateCluster ignores AvailabilityZones     -> nodes placed in the given zones (count must
      (every node in <region>a)                      equal ReplicationFactor); omitted: spread
                                                     over the region's zones
DAX-2 IncreaseReplicationFactor ignores zones     -> new nodes in the given zones (else spread)
BAK-1 Create/Get/List/DeleteBackupSelection are   -> implemented per botocore's model
      not implemented (HTTP 500)                     (BackupSelection: SelectionName, IamRoleArn,
                                                     Resources, NotResources, ListOfTags,
                                                     Conditions); a plan with selections cannot
                                                     be deleted
IAM-1 AWS managed policies exist only with      -> always exist: loaded one by one, on first
      MOTO_IAM_LOAD_MANAGED_POLICIES=true (all       use by ARN (GetPolicy, GetPolicyVersion,
      ~1,500 per account, ~6 s each account)         Attach*Policy), from moto's own documents
BAK-2 DescribeRegionSettings / UpdateRegionSettings -> per account and Region: every resource
      not routed (HTTP 404/500)                      type opted in, advanced DynamoDB features
                                                     off (as AWS starts an account that uses
                                                     AWS Backup); Update merges the maps
AAS-1 DescribeScalingPolicies: ResourceId as a    -> exact ResourceId/ScalableDimension match,
      substring, PolicyNames ignored                 PolicyNames honoured, pages of 10
AAS-2 DescribeScalableTargets NextToken repeats   -> paging advances and ends (pages of 50)
      past 100 targets
DDB-7 Every table ACTIVE at once; a second       -> UPDATING (TableStatus, and SSEDescription
      UpdateTable during an update succeeds          Status after an SSE switch) after each
                                                     UpdateTable; ResourceInUseException for an
                                                     UpdateTable meanwhile. Counted in
                                                     DescribeTable calls (set_update_settle);
                                                     off by default, on in the demo and the
                                                     harden tests (patches_table_status)
DDB-8 A disabled stream can never be enabled     -> a new stream can be enabled once the old
      again (the old label stays)                    one is disabled (patches_table_status)
SHB-1  BatchUpdateFindings is not implemented (404) -> updates Workflow, Note, ... of the given
                                                     findings (patches_securityhub)
DDB-9 RestoreTableToPointInTime ignores every     -> SSESpecificationOverride and
      override and restores from a table             BillingModeOverride applied; no PITR on the
      without PITR                                   source: PointInTimeRecoveryUnavailable-
                                                     Exception (patches_restore)
ACC-1 account ListRegions / GetRegionOptStatus /  -> per-account region opt-in status of the
      Enable/DisableRegion are not routed            partition (patches_account)
EC2-1 DescribeRegions lists every partition and   -> the caller's partition, enabled regions
      every opt-in region                            only unless AllRegions (patches_account)

Replicas[] leaves out the describing region: AWS's guide shows ``describe-table --region
us-east-2`` on a 2019.11.21 global table listing only the us-west-2 replica
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/globaltables.DetermineVersion.html).

Known gaps NOT patched: CREATING on CreateTable (every new table is ACTIVE at once; DAX
clusters show nodes only once available), UPDATING unless DDB-7 is switched on, legacy
2017 global tables, TableClass / contributor insights / Kinesis destinations, Backup
list_protected_resources and recovery points, Security Hub get_findings filters, IAM
authorization details without PolicyName/PolicyId, range validation (PITR 99 days, invalid
policy JSON).
"""

from __future__ import annotations

import threading

from dynaguard.emulator import (
    patches_account,
    patches_autoscaling,
    patches_backup,
    patches_dax,
    patches_dynamodb,
    patches_iam,
    patches_kms,
    patches_restore,
    patches_securityhub,
    patches_table_status,
)

_lock = threading.Lock()
_state = {"applied": False}


def apply_patches() -> None:
    """Install every patch once (thread-safe); calling it again does nothing."""
    with _lock:
        if _state["applied"]:
            return
        patches_kms.install()
        patches_dynamodb.install()
        patches_dax.install()
        patches_backup.install()
        patches_iam.install()
        patches_autoscaling.install()
        patches_table_status.install()
        patches_securityhub.install()
        patches_restore.install()
        patches_account.install()
        _state["applied"] = True
