"""Model catalogue: the providers and context limits the traces draw from."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    provider: str        # gen_ai.provider.name
    legacy_system: str   # older gen_ai.system value
    oi_provider: str     # llm.provider in OpenInference
    name: str
    context_limit: int
    max_output: int


MODELS = (
    Model("openai", "openai", "openai", "gpt-4o-2024-08-06", 128000, 16384),
    Model("openai", "openai", "openai", "gpt-4.1-mini", 1047576, 32768),
    Model("openai", "openai", "openai", "o3-mini", 200000, 100000),
    Model("anthropic", "anthropic", "anthropic", "claude-sonnet-4-5", 200000, 64000),
    Model("anthropic", "anthropic", "anthropic", "claude-haiku-4-5", 200000, 64000),
    Model("gcp.gemini", "gemini", "google", "gemini-2.0-flash", 1048576, 8192),
    Model("mistral_ai", "mistral_ai", "mistralai", "mistral-large-latest", 131072, 8192),
    Model("aws.bedrock", "aws.bedrock", "aws", "meta.llama3-1-70b-instruct-v1:0", 128000, 4096),
    Model("azure.ai.openai", "az.ai.openai", "azure", "gpt-4o-mini", 128000, 16384),
)
