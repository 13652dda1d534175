"""Entry point for `streamlit run app.py`: everything lives in annotations.ui and annotations.web.

`streamlit run` finds the `st.App` below (it reads this file's syntax tree) and
serves it, importing this file as a module; Streamlit then runs this same file
as the page script, under the name "__main__", for every browser session.
"""

import streamlit as st

if __name__ == "__main__":  # the page script, run by Streamlit (and by AppTest)
    from annotations.ui.app import main

    main()
else:  # the ASGI module: Streamlit's routes plus ours (annotations.web)
    from annotations.web import middleware, routes

    app = st.App(__file__, routes=routes(), middleware=middleware())
