"""The Streamlit workspace: pages that wire widgets to library calls, nothing more."""
