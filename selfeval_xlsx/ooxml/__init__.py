"""The OOXML package (.xlsx/.xlsm) as the loader reads it and the writer patches it.

One module per concern, each editing parts as text so that every byte the
tool does not mean to change stays as it was:

* ``xmltext``: XML text primitives (escaping, attributes of a raw start
  tag, decode/encode, well-formedness check, splice, unescape);
* ``package``: the zip package — the safe inflate with the zip-bomb
  guards, the DTD/ENTITY guard, relationships and the sheets of the workbook
  resolved through them, the local-header parse, the raw member copy and the
  atomic write;
* ``sheet``: the worksheet patcher (cell values, spans, dimension);
* ``styles``: styles.xml (fills, borders, fonts, number formats, xfs);
* ``workbook``: workbook.xml, docProps/app.xml, [Content_Types].xml and
  relationship patches, and a new sheet wired in through them;
* ``comments``: cell notes and the VML drawing that shows them.

``selfeval_xlsx.writer`` drives them; ``selfeval_xlsx.loading_zip`` uses
``package``.  Nothing here imports from the rest of the package but
``errors``, ``atomic``, ``cellref`` and ``lazyre``.
"""
