"""Render functions compiled from templates/*.j2 by msbrewrite.languages.template_compiler.

Do not edit: change the template and run `python -m msbrewrite.languages.template_compiler`.
"""
# flake8: noqa
from __future__ import annotations

from msbrewrite.languages.template_runtime import Undefined, UndefinedError, attr, item, lookup, text


def __runtime_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: ')
    out.append(text(attr(lookup(ctx, 'plan'), 'runtime_base')))

def __runtime_Dockerfile_j2__workdir(ctx, out):
    if attr(lookup(ctx, 'plan'), 'workdir'):
        out.append('\nWORKDIR ')
        out.append(text(attr(lookup(ctx, 'plan'), 'workdir')))

def __runtime_Dockerfile_j2__artifacts(ctx, out):
    for l_a in attr(lookup(ctx, 'plan'), 'artifacts'):
        out.append('\nCOPY --from=')
        out.append(text(lookup(ctx, 'builder')))
        if attr(l_a, 'chown'):
            out.append(' --chown=')
            out.append(text(attr(l_a, 'chown')))
        out.append(' ')
        out.append(text(ctx.filters['copy_args']([attr(l_a, 'source'), attr(l_a, 'dest')])))

__runtime_Dockerfile_j2__blocks = {'header': __runtime_Dockerfile_j2__header, 'workdir': __runtime_Dockerfile_j2__workdir, 'artifacts': __runtime_Dockerfile_j2__artifacts}

def __runtime_Dockerfile_j2__root(ctx, out, blocks):
    if lookup(ctx, 'debug'):
        out.append('\n')
        out.append(text(attr(lookup(ctx, 'debug'), 'note')))
        out.append('\nFROM ')
        if attr(lookup(ctx, 'plan'), 'runtime_platform'):
            out.append('--platform=')
            out.append(text(attr(lookup(ctx, 'plan'), 'runtime_platform')))
            out.append(' ')
        out.append(text(attr(lookup(ctx, 'debug'), 'image')))
        out.append(' AS ')
        out.append(text(attr(lookup(ctx, 'debug'), 'name')))
    else:
        blocks['header'](ctx, out)
        for l_line in attr(lookup(ctx, 'plan'), 'runtime_from_notes'):
            out.append('\n')
            out.append(text(l_line))
        out.append('\nFROM ')
        if attr(lookup(ctx, 'plan'), 'runtime_platform'):
            out.append('--platform=')
            out.append(text(attr(lookup(ctx, 'plan'), 'runtime_platform')))
            out.append(' ')
        out.append(text(attr(lookup(ctx, 'plan'), 'runtime_base')))
    for l_line in attr(lookup(ctx, 'plan'), 'runtime_args'):
        out.append('\n')
        out.append(text(l_line))
    for l_line in attr(lookup(ctx, 'plan'), 'runtime_env'):
        out.append('\n')
        out.append(text(l_line))
    for l_line in attr(lookup(ctx, 'plan'), 'runtime_setup'):
        out.append('\n')
        out.append(text(l_line))
    blocks['workdir'](ctx, out)
    blocks['artifacts'](ctx, out)
    for l_line in attr(lookup(ctx, 'plan'), 'runtime_meta'):
        out.append('\n')
        out.append(text(l_line))
    for l_line in attr(lookup(ctx, 'plan'), 'start_env'):
        out.append('\n')
        out.append(text(l_line))
    if attr(lookup(ctx, 'plan'), 'runtime_shell'):
        out.append('\n')
        out.append(text(attr(lookup(ctx, 'plan'), 'runtime_shell')))
    if attr(lookup(ctx, 'plan'), 'user'):
        if (not isinstance(attr(attr(lookup(ctx, 'plan'), 'comments'), 'USER'), Undefined)):
            out.append('\n')
            out.append(text(attr(attr(lookup(ctx, 'plan'), 'comments'), 'USER')))
        out.append('\nUSER ')
        out.append(text(attr(lookup(ctx, 'plan'), 'user')))
    if attr(lookup(ctx, 'plan'), 'healthcheck'):
        if (not isinstance(attr(attr(lookup(ctx, 'plan'), 'comments'), 'HEALTHCHECK'), Undefined)):
            out.append('\n')
            out.append(text(attr(attr(lookup(ctx, 'plan'), 'comments'), 'HEALTHCHECK')))
        out.append('\n')
        out.append(text(attr(lookup(ctx, 'plan'), 'healthcheck')))
    if (not (attr(lookup(ctx, 'plan'), 'entrypoint') is None)):
        if (not isinstance(attr(attr(lookup(ctx, 'plan'), 'comments'), 'ENTRYPOINT'), Undefined)):
            out.append('\n')
            out.append(text(attr(attr(lookup(ctx, 'plan'), 'comments'), 'ENTRYPOINT')))
        out.append('\nENTRYPOINT ')
        out.append(text(ctx.filters['exec_form'](attr(lookup(ctx, 'plan'), 'entrypoint'))))
    elif (lookup(ctx, 'debug') and attr(lookup(ctx, 'debug'), 'clear_entrypoint')):
        out.append('\nENTRYPOINT []')
    if (not (attr(lookup(ctx, 'plan'), 'cmd') is None)):
        if (not isinstance(attr(attr(lookup(ctx, 'plan'), 'comments'), 'CMD'), Undefined)):
            out.append('\n')
            out.append(text(attr(attr(lookup(ctx, 'plan'), 'comments'), 'CMD')))
        out.append('\nCMD ')
        out.append(text(ctx.filters['exec_form'](attr(lookup(ctx, 'plan'), 'cmd'))))
    out.append('\n')

def __runtime_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2__root(ctx, out, {**__runtime_Dockerfile_j2__blocks, **(blocks or {})})

def _bun_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: ')
    if attr(attr(lookup(ctx, 'plan'), 'extra'), 'get')('compiled'):
        out.append('the app compiled into one binary by Bun')
    else:
        out.append('Bun with the app and its dependencies')

_bun_Dockerfile_j2__blocks = {'header': _bun_Dockerfile_j2__header}

def _bun_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_bun_Dockerfile_j2__blocks, **(blocks or {})})

def _cpp_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: only the C/C++ binary')
    if list((x for x in attr(lookup(ctx, 'plan'), 'artifacts') if item(x, 'why') == 'the app directory without build-only files')):
        out.append(' and the files it reads at run time')

_cpp_Dockerfile_j2__blocks = {'header': _cpp_Dockerfile_j2__header}

def _cpp_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_cpp_Dockerfile_j2__blocks, **(blocks or {})})

def _deno_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: ')
    if attr(attr(lookup(ctx, 'plan'), 'extra'), 'get')('compiled'):
        out.append('the compiled Deno app')
    else:
        out.append('deno, the modules the build cached and the app')

_deno_Dockerfile_j2__blocks = {'header': _deno_Dockerfile_j2__header}

def _deno_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_deno_Dockerfile_j2__blocks, **(blocks or {})})

def _dotnet_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: only the published .NET app')

_dotnet_Dockerfile_j2__blocks = {'header': _dotnet_Dockerfile_j2__header}

def _dotnet_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_dotnet_Dockerfile_j2__blocks, **(blocks or {})})

def _frontend_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: ')
    out.append(text(('nginx' if attr(attr(lookup(ctx, 'plan'), 'runtime_base'), 'startswith')(('nginx', 'nginxinc')) else 'the web server')))
    out.append(' serving only the static build output')

_frontend_Dockerfile_j2__blocks = {'header': _frontend_Dockerfile_j2__header}

def _frontend_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_frontend_Dockerfile_j2__blocks, **(blocks or {})})

def _go_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: only the Go binary')
    if (len(attr(lookup(ctx, 'plan'), 'artifacts')) > 1):
        out.append(' and the files it reads at run time')

_go_Dockerfile_j2__blocks = {'header': _go_Dockerfile_j2__header}

def _go_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_go_Dockerfile_j2__blocks, **(blocks or {})})

def _java_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: a Java runtime (JRE) and only the application')
    if (len(attr(lookup(ctx, 'plan'), 'artifacts')) > 1):
        out.append(' files it runs')
    else:
        out.append(' archive')

_java_Dockerfile_j2__blocks = {'header': _java_Dockerfile_j2__header}

def _java_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_java_Dockerfile_j2__blocks, **(blocks or {})})

_nginx_spa_conf_j2__blocks = {}

def _nginx_spa_conf_j2__root(ctx, out, blocks):
    out.append('server {\n    listen ')
    out.append(text(lookup(ctx, 'port')))
    out.append(';\n    server_name _;\n    root ')
    out.append(text(lookup(ctx, 'root')))
    out.append(';\n    index index.html;\n    # a redirect names the path only: behind `docker run -p 80:8080` or a proxy, the client used another port\n    absolute_redirect off;')
    if lookup(ctx, 'hosts'):
        out.append('\n\n    # vite answered only the hosts it allows (localhost, IP addresses, allowedHosts): 403 otherwise\n    if ($host !~* "')
        out.append(text(lookup(ctx, 'hosts')))
        out.append('") {\n        return 403;\n    }')
    out.append('\n\n    gzip on;\n    gzip_vary on;\n    gzip_proxied any;\n    gzip_min_length 1024;\n    gzip_types text/plain text/css text/xml application/javascript application/json application/xml image/svg+xml;')
    if lookup(ctx, 'clean_urls'):
        out.append('\n\n    # clean URLs, as serve answers them: /page.html redirects to /page, /docs/index to /docs, /index to /\n    location ~ "^(?<stem>.*)\\.html$" {\n        return 301 $stem;\n    }\n    location = ')
        out.append(text(lookup(ctx, 'base')))
        out.append('index {\n        return 301 ')
        out.append(text(lookup(ctx, 'base')))
        out.append(';\n    }\n    location ~ "^(?<folder>.+)/index$" {\n        return 301 $folder;\n    }')
    else:
        out.append('\n\n    # the app shell: always revalidated, so a new deploy is picked up at once\n    location = ')
        out.append(text(lookup(ctx, 'base')))
        out.append('index.html {\n        add_header Cache-Control "no-cache";\n    }')
    for l_loc in lookup(ctx, 'immutable'):
        out.append('\n\n    # content-hashed build files never change: cache them for a year\n    location ')
        out.append(text(l_loc))
        out.append(' {\n        add_header Cache-Control "public, max-age=31536000, immutable";')
        if lookup(ctx, 'listing'):
            out.append('\n        autoindex on;\n        try_files $uri $uri/ =404;')
        else:
            out.append('\n        try_files $uri ')
            out.append(text(('@app_shell' if lookup(ctx, 'assets_shell') else '=404')))
            out.append(';')
        out.append('\n    }')
    if (lookup(ctx, 'base') != '/'):
        out.append('\n\n    # the site is built for ')
        out.append(text(lookup(ctx, 'base')))
        out.append(': its pages link to their files there\n    location = / {\n        return 302 ')
        out.append(text(lookup(ctx, 'base')))
        out.append(';\n    }')
    if lookup(ctx, 'named_shell'):
        if lookup(ctx, 'vite_favicon'):
            out.append('\n\n    # vite never sends the app shell for a missing favicon\n    location = ')
            out.append(text(lookup(ctx, 'base')))
            out.append('favicon.ico {\n        try_files $uri =404;\n    }')
        out.append('\n\n    # ')
        out.append(text(('a missing path gets the app shell, as the original server answered' if (lookup(ctx, 'shell') == 'all') else ('a missing path gets the app shell when the client accepts HTML, as the original server answered' if (lookup(ctx, 'shell') == 'html') else ('a missing page gets the app shell when the client accepts HTML or anything, as the original server answered; a missing asset stays a 404' if (lookup(ctx, 'shell') == 'html-page') else 'a missing path gets the app shell unless its last part has a dot, as the original server answered')))))
        out.append('\n    location ')
        out.append(text(lookup(ctx, 'base')))
        out.append(' {\n        try_files $uri $uri.html $uri/index.html @app_shell;\n    }\n\n    location @app_shell {')
        if (lookup(ctx, 'shell') in ('html', 'html-page')):
            out.append('\n        if ($http_accept !~* "')
            out.append(text(lookup(ctx, 'accept')))
            out.append('") {\n            return 404;\n        }')
        if (lookup(ctx, 'shell') == 'html-page'):
            out.append('\n        if ($uri ~* "')
            out.append(text(lookup(ctx, 'asset_suffix')))
            out.append('") {\n            return 404;\n        }')
        elif (lookup(ctx, 'shell') == 'nodot'):
            out.append('\n        if ($uri ~ "\\.[^/]*$") {\n            return 404;\n        }')
        out.append('\n        add_header Cache-Control "no-cache";\n        rewrite ^ ')
        out.append(text(lookup(ctx, 'base')))
        out.append('index.html break;\n    }')
    else:
        out.append('\n\n    # ')
        out.append(text(('client-side routes fall back to the app shell, also a route named like a build folder' if lookup(ctx, 'spa') else 'a missing file is a 404, as the original server answered')))
        out.append('\n    location ')
        out.append(text(lookup(ctx, 'base')))
        out.append(' {')
        if lookup(ctx, 'clean_urls'):
            out.append('\n        add_header Cache-Control "no-cache";')
        if lookup(ctx, 'listing'):
            out.append('\n        autoindex on;')
        if lookup(ctx, 'ext'):
            out.append('\n        # a folder asked for without its slash: http-server redirects with 302 (nginx would with 301)\n        if (-d $request_filename) {\n            rewrite ^(.*[^/])$ $1/ redirect;\n        }')
        out.append('\n        try_files $uri ')
        if (lookup(ctx, 'pages') or lookup(ctx, 'clean_urls')):
            out.append('$uri.html ')
        elif lookup(ctx, 'ext'):
            out.append('$uri.')
            out.append(text(lookup(ctx, 'ext')))
            out.append(' ')
        out.append(text(((text('$uri/index.html ') + text(lookup(ctx, 'base')) + text('index.html')) if lookup(ctx, 'spa') else (text(('$uri/index.html ' if lookup(ctx, 'clean_urls') else '')) + text(('$uri/ =404' if (lookup(ctx, 'listing') or (not lookup(ctx, 'clean_urls'))) else '=404'))))))
        out.append(';\n    }')
    out.append('\n}\n')

def _nginx_spa_conf_j2(ctx, out, blocks=None):
    _nginx_spa_conf_j2__root(ctx, out, {**_nginx_spa_conf_j2__blocks, **(blocks or {})})

def _node_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: the Node app')
    if attr(attr(lookup(ctx, 'plan'), 'extra'), 'get')('production_only'):
        out.append(' with production dependencies only')

_node_Dockerfile_j2__blocks = {'header': _node_Dockerfile_j2__header}

def _node_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_node_Dockerfile_j2__blocks, **(blocks or {})})

def _php_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: the same PHP and web server with the app')
    if attr(lookup(ctx, 'plan'), 'runtime_packages'):
        out.append(', plus the libraries it loads')

_php_Dockerfile_j2__blocks = {'header': _php_Dockerfile_j2__header}

def _php_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_php_Dockerfile_j2__blocks, **(blocks or {})})

def _python_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: the same Python')
    if attr(attr(lookup(ctx, 'plan'), 'extra'), 'venv'):
        out.append(', the virtualenv')
    out.append(' and the app source')
    if attr(lookup(ctx, 'plan'), 'runtime_packages'):
        out.append(', plus the packages it uses')

_python_Dockerfile_j2__blocks = {'header': _python_Dockerfile_j2__header}

def _python_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_python_Dockerfile_j2__blocks, **(blocks or {})})

def _ruby_Dockerfile_j2__header(ctx, out):
    out.append('\n# runtime: the same Ruby, the gems and the app')
    if attr(lookup(ctx, 'plan'), 'runtime_packages'):
        out.append(', plus the libraries they load')

_ruby_Dockerfile_j2__blocks = {'header': _ruby_Dockerfile_j2__header}

def _ruby_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_ruby_Dockerfile_j2__blocks, **(blocks or {})})

def _rust_Dockerfile_j2__header(ctx, out):
    l_bins = list((x for x in attr(lookup(ctx, 'plan'), 'artifacts') if item(x, 'why') in ['the compiled binary', 'every binary the build produced (collected in the builder)']))
    l_many = ((len(l_bins) > 1) or (l_bins and attr(attr(item(l_bins, 0), 'source'), 'endswith')('/')))
    out.append('\n# runtime: only the Rust ')
    out.append(text(('binaries' if l_many else 'binary')))
    if (len(attr(lookup(ctx, 'plan'), 'artifacts')) > len(l_bins)):
        out.append(' and the files ')
        out.append(text(('they read' if l_many else 'it reads')))
        out.append(' at run time')

_rust_Dockerfile_j2__blocks = {'header': _rust_Dockerfile_j2__header}

def _rust_Dockerfile_j2(ctx, out, blocks=None):
    __runtime_Dockerfile_j2(ctx, out, {**_rust_Dockerfile_j2__blocks, **(blocks or {})})

# the source each function was compiled from: a template that differs renders through Jinja
SOURCES = {
    '_runtime.Dockerfile.j2': '{#- Shared body of every runtime stage. Language templates set `header` and may fill the blocks.\n    With `debug` set, the same body makes the debug twin: its own base and name, no header. -#}\n{%- if debug %}\n{{ debug.note }}\nFROM {% if plan.runtime_platform %}--platform={{ plan.runtime_platform }} {% endif %}{{ debug.image }} AS {{ debug.name }}\n{%- else %}\n{%- block header %}\n# runtime: {{ plan.runtime_base }}\n{%- endblock %}\n{%- for line in plan.runtime_from_notes %}\n{{ line }}\n{%- endfor %}\nFROM {% if plan.runtime_platform %}--platform={{ plan.runtime_platform }} {% endif %}{{ plan.runtime_base }}\n{%- endif %}\n{%- for line in plan.runtime_args %}\n{{ line }}\n{%- endfor %}\n{%- for line in plan.runtime_env %}\n{{ line }}\n{%- endfor %}\n{%- for line in plan.runtime_setup %}\n{{ line }}\n{%- endfor %}\n{%- block workdir %}\n{%- if plan.workdir %}\nWORKDIR {{ plan.workdir }}\n{%- endif %}\n{%- endblock %}\n{%- block artifacts %}\n{%- for a in plan.artifacts %}\nCOPY --from={{ builder }}{% if a.chown %} --chown={{ a.chown }}{% endif %} {{ [a.source, a.dest] | copy_args }}\n{%- endfor %}\n{%- endblock %}\n{%- for line in plan.runtime_meta %}\n{{ line }}\n{%- endfor %}\n{%- for line in plan.start_env %}\n{{ line }}\n{%- endfor %}\n{%- if plan.runtime_shell %}\n{{ plan.runtime_shell }}\n{%- endif %}\n{%- if plan.user %}\n{%- if plan.comments.USER is defined %}\n{{ plan.comments.USER }}\n{%- endif %}\nUSER {{ plan.user }}\n{%- endif %}\n{%- if plan.healthcheck %}\n{%- if plan.comments.HEALTHCHECK is defined %}\n{{ plan.comments.HEALTHCHECK }}\n{%- endif %}\n{{ plan.healthcheck }}\n{%- endif %}\n{%- if plan.entrypoint is not none %}\n{%- if plan.comments.ENTRYPOINT is defined %}\n{{ plan.comments.ENTRYPOINT }}\n{%- endif %}\nENTRYPOINT {{ plan.entrypoint | exec_form }}\n{%- elif debug and debug.clear_entrypoint %}\nENTRYPOINT []\n{%- endif %}\n{%- if plan.cmd is not none %}\n{%- if plan.comments.CMD is defined %}\n{{ plan.comments.CMD }}\n{%- endif %}\nCMD {{ plan.cmd | exec_form }}\n{%- endif %}\n',
    'bun.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: {% if plan.extra.get("compiled") %}the app compiled into one binary by Bun{% else %}Bun with the app and its dependencies{% endif %}\n{%- endblock %}\n',
    'cpp.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: only the C/C++ binary{% if plan.artifacts|selectattr("why", "equalto", "the app directory without build-only files")|list %} and the files it reads at run time{% endif %}\n{%- endblock %}\n',
    'deno.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: {% if plan.extra.get("compiled") %}the compiled Deno app{% else %}deno, the modules the build cached and the app{% endif %}\n{%- endblock %}\n',
    'dotnet.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: only the published .NET app\n{%- endblock %}\n',
    'frontend.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: {{ "nginx" if plan.runtime_base.startswith(("nginx", "nginxinc")) else "the web server" }} serving only the static build output\n{%- endblock %}\n',
    'go.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: only the Go binary{% if plan.artifacts|length > 1 %} and the files it reads at run time{% endif %}\n{%- endblock %}\n',
    'java.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: a Java runtime (JRE) and only the application{% if plan.artifacts|length > 1 %} files it runs{% else %} archive{% endif %}\n{%- endblock %}\n',
    'nginx-spa.conf.j2': 'server {\n    listen {{ port }};\n    server_name _;\n    root {{ root }};\n    index index.html;\n    # a redirect names the path only: behind `docker run -p 80:8080` or a proxy, the client used another port\n    absolute_redirect off;\n{%- if hosts %}\n\n    # vite answered only the hosts it allows (localhost, IP addresses, allowedHosts): 403 otherwise\n    if ($host !~* "{{ hosts }}") {\n        return 403;\n    }\n{%- endif %}\n\n    gzip on;\n    gzip_vary on;\n    gzip_proxied any;\n    gzip_min_length 1024;\n    gzip_types text/plain text/css text/xml application/javascript application/json application/xml image/svg+xml;\n{%- if clean_urls %}\n\n    # clean URLs, as serve answers them: /page.html redirects to /page, /docs/index to /docs, /index to /\n    location ~ "^(?<stem>.*)\\.html$" {\n        return 301 $stem;\n    }\n    location = {{ base }}index {\n        return 301 {{ base }};\n    }\n    location ~ "^(?<folder>.+)/index$" {\n        return 301 $folder;\n    }\n{%- else %}\n\n    # the app shell: always revalidated, so a new deploy is picked up at once\n    location = {{ base }}index.html {\n        add_header Cache-Control "no-cache";\n    }\n{%- endif %}\n{%- for loc in immutable %}\n\n    # content-hashed build files never change: cache them for a year\n    location {{ loc }} {\n        add_header Cache-Control "public, max-age=31536000, immutable";\n{%- if listing %}\n        autoindex on;\n        try_files $uri $uri/ =404;\n{%- else %}\n        try_files $uri {{ "@app_shell" if assets_shell else "=404" }};\n{%- endif %}\n    }\n{%- endfor %}\n\n{%- if base != "/" %}\n\n    # the site is built for {{ base }}: its pages link to their files there\n    location = / {\n        return 302 {{ base }};\n    }\n{%- endif %}\n{%- if named_shell %}\n{%- if vite_favicon %}\n\n    # vite never sends the app shell for a missing favicon\n    location = {{ base }}favicon.ico {\n        try_files $uri =404;\n    }\n{%- endif %}\n\n    # {{ "a missing path gets the app shell, as the original server answered" if shell == "all" else "a missing path gets the app shell when the client accepts HTML, as the original server answered" if shell == "html" else "a missing page gets the app shell when the client accepts HTML or anything, as the original server answered; a missing asset stays a 404" if shell == "html-page" else "a missing path gets the app shell unless its last part has a dot, as the original server answered" }}\n    location {{ base }} {\n        try_files $uri $uri.html $uri/index.html @app_shell;\n    }\n\n    location @app_shell {\n{%- if shell in ("html", "html-page") %}\n        if ($http_accept !~* "{{ accept }}") {\n            return 404;\n        }\n{%- endif %}\n{%- if shell == "html-page" %}\n        if ($uri ~* "{{ asset_suffix }}") {\n            return 404;\n        }\n{%- elif shell == "nodot" %}\n        if ($uri ~ "\\.[^/]*$") {\n            return 404;\n        }\n{%- endif %}\n        add_header Cache-Control "no-cache";\n        rewrite ^ {{ base }}index.html break;\n    }\n{%- else %}\n\n    # {{ "client-side routes fall back to the app shell, also a route named like a build folder" if spa else "a missing file is a 404, as the original server answered" }}\n    location {{ base }} {\n{%- if clean_urls %}\n        add_header Cache-Control "no-cache";\n{%- endif %}\n{%- if listing %}\n        autoindex on;\n{%- endif %}\n{%- if ext %}\n        # a folder asked for without its slash: http-server redirects with 302 (nginx would with 301)\n        if (-d $request_filename) {\n            rewrite ^(.*[^/])$ $1/ redirect;\n        }\n{%- endif %}\n        try_files $uri {% if pages or clean_urls %}$uri.html {% elif ext %}$uri.{{ ext }} {% endif %}{{ "$uri/index.html " ~ base ~ "index.html" if spa else ("$uri/index.html " if clean_urls else "") ~ ("$uri/ =404" if listing or not clean_urls else "=404") }};\n    }\n{%- endif %}\n}\n',
    'node.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: the Node app{% if plan.extra.get("production_only") %} with production dependencies only{% endif %}\n{%- endblock %}\n',
    'php.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: the same PHP and web server with the app{% if plan.runtime_packages %}, plus the libraries it loads{% endif %}\n{%- endblock %}\n',
    'python.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: the same Python{% if plan.extra.venv %}, the virtualenv{% endif %} and the app source{% if plan.runtime_packages %}, plus the packages it uses{% endif %}\n{%- endblock %}\n',
    'ruby.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n# runtime: the same Ruby, the gems and the app{% if plan.runtime_packages %}, plus the libraries they load{% endif %}\n{%- endblock %}\n',
    'rust.Dockerfile.j2': '{% extends "_runtime.Dockerfile.j2" %}\n{%- block header %}\n{%- set bins = plan.artifacts | selectattr("why", "in", ["the compiled binary", "every binary the build produced (collected in the builder)"]) | list %}\n{%- set many = bins|length > 1 or (bins and bins[0].source.endswith("/")) %}\n# runtime: only the Rust {{ "binaries" if many else "binary" }}{% if plan.artifacts|length > bins|length %} and the files {{ "they read" if many else "it reads" }} at run time{% endif %}\n{%- endblock %}\n',
}

# the templates each one renders with: itself and the ones it extends
DEPENDS = {
    '_runtime.Dockerfile.j2': ('_runtime.Dockerfile.j2',),
    'bun.Dockerfile.j2': ('bun.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'cpp.Dockerfile.j2': ('cpp.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'deno.Dockerfile.j2': ('deno.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'dotnet.Dockerfile.j2': ('dotnet.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'frontend.Dockerfile.j2': ('frontend.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'go.Dockerfile.j2': ('go.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'java.Dockerfile.j2': ('java.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'nginx-spa.conf.j2': ('nginx-spa.conf.j2',),
    'node.Dockerfile.j2': ('node.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'php.Dockerfile.j2': ('php.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'python.Dockerfile.j2': ('python.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'ruby.Dockerfile.j2': ('ruby.Dockerfile.j2', '_runtime.Dockerfile.j2'),
    'rust.Dockerfile.j2': ('rust.Dockerfile.j2', '_runtime.Dockerfile.j2'),
}

RENDER = {
    '_runtime.Dockerfile.j2': __runtime_Dockerfile_j2,
    'bun.Dockerfile.j2': _bun_Dockerfile_j2,
    'cpp.Dockerfile.j2': _cpp_Dockerfile_j2,
    'deno.Dockerfile.j2': _deno_Dockerfile_j2,
    'dotnet.Dockerfile.j2': _dotnet_Dockerfile_j2,
    'frontend.Dockerfile.j2': _frontend_Dockerfile_j2,
    'go.Dockerfile.j2': _go_Dockerfile_j2,
    'java.Dockerfile.j2': _java_Dockerfile_j2,
    'nginx-spa.conf.j2': _nginx_spa_conf_j2,
    'node.Dockerfile.j2': _node_Dockerfile_j2,
    'php.Dockerfile.j2': _php_Dockerfile_j2,
    'python.Dockerfile.j2': _python_Dockerfile_j2,
    'ruby.Dockerfile.j2': _ruby_Dockerfile_j2,
    'rust.Dockerfile.j2': _rust_Dockerfile_j2,
}
