"""One module per fixable control (or pair of controls), each registering its Remediation."""
