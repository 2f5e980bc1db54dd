"""Everything that touches the browser, and the only package that imports Playwright: finding and
launching Chromium, the guarded context with its request guard and network fence, the scripts
put in the portal's pages, finding a map's elements, writing fields and reading them back,
clicks, code entry, and reading what the page shows.

It asks the person nothing (that is `assistant.sitting`) and keeps no records (that is
`assistant.records`).
"""
