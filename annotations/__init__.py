"""Collaborative source-criticism annotation for history seminars.

The package owns every rule; the CLI (`annotations.cli`) and the Streamlit UI
(`annotations.ui`) only adapt it. Offsets everywhere are Unicode code points
into the verbatim text, 0-based, end exclusive.
"""

__version__ = "0.1.0"
