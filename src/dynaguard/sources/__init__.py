"""Sources: everything that produces an Inventory (live AWS, Terraform, CloudFormation)."""
