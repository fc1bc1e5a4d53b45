"""The demo data generator: a realistic, deterministic B2B funnel from a seed (`smarketing demo`)."""

from __future__ import annotations

from scoring.sources.demo.dataset import CHUNK_SIZE, Demo, DemoChunk, simulate
from scoring.sources.demo.generate import DemoReport, generate_demo

__all__ = ["CHUNK_SIZE", "Demo", "DemoChunk", "DemoReport", "generate_demo", "simulate"]
