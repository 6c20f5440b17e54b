"""From named cluster to monitor, eval cases and guardrail stub."""
