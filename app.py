"""Entry point for `streamlit run app.py`: everything lives in annotations.ui."""

from annotations.ui.app import main

main()
