"""Where the build's and the search's steps run: here (``local``) or on a Dask cluster
(``dask``, imported only with ``--dask``). Engines choose where and how fast, never what."""
