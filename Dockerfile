# Build a briefings site from a mounted folder, with nothing installed on the host but a container tool:
#   docker build -t briefings .
#   docker run --rm -v "$PWD/mysite:/site" briefings build            # writes mysite/output/
#   docker run --rm -v "$PWD/mysite:/site" briefings init /site/new   # a new site
FROM python:3.12-slim
COPY pyproject.toml setup.py README.md /src/
COPY generator /src/generator
COPY themes/default /src/themes/default
RUN pip install --no-cache-dir /src && rm -rf /src
WORKDIR /site
ENTRYPOINT ["briefings"]
CMD ["build"]
