"""The live AWS source: boto3 reads -> the normalized Inventory.

``collect(options, facts, run_id=...)`` is the entry point; ``facts_needed(controls)`` says
which facts a set of controls needs, so only those API calls are made.
"""

from dynaguard.sources.aws.collect import collect, facts_needed
from dynaguard.sources.aws.options import AwsOptions
from dynaguard.sources.aws.recorder import ApiCall, CallRecorder
from dynaguard.sources.aws.regions import enabled_regions

__all__ = ["ApiCall", "AwsOptions", "CallRecorder", "collect", "enabled_regions", "facts_needed"]
