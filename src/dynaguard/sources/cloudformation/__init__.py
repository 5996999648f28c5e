"""CloudFormation sources: YAML/JSON templates (short intrinsic tags included) and CDK output
(``cdk.out/*.template.json``), decoded by cfn-lint's decoder, which keeps line numbers."""
