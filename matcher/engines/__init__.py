"""Where the build's steps (``matcher/index/build.py``) run; engines choose where and how fast,
never what. ``local``: in this process or on forked workers (used by ``Matcher`` and the api);
``dask``: the same steps on a Dask cluster, and batch matching as one ``Matcher`` per shard
(imported only with ``--dask``: it sits beside ``matcher/api.py``, which alone imports it)."""
