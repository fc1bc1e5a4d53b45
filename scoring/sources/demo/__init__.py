"""The demo data generator: a realistic, deterministic B2B funnel from a seed (`smarketing demo`)."""

from __future__ import annotations

from scoring.sources.demo.generate import DemoReport, generate_demo
from scoring.sources.demo.simulate import CHUNK_SIZE, Demo, DemoChunk, simulate

__all__ = ["CHUNK_SIZE", "Demo", "DemoChunk", "DemoReport", "generate_demo", "simulate"]
