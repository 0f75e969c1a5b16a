"""Entry point of the maintenance jobs' Python tasks (infra/maintenance.py): erase, purge, retain.

    maintenance.py --root /Workspace/<code folder> erase --request-id ... --catalog ... ...

``--root`` is the uploaded code folder (the pipeline's ``root_path``): put on ``sys.path`` first,
so the task imports the same ``clickstream`` package the pipeline runs. Everything else lives in
``clickstream.maintenance_main``.
"""

import sys

if __name__ == "__main__":
    argv = sys.argv[1:]
    if len(argv) < 2 or argv[0] != "--root":
        sys.exit("usage: maintenance.py --root FOLDER {erase,purge,retain} ...")
    sys.path.insert(0, argv[1])
    from clickstream.maintenance_main import main

    sys.exit(main(argv[2:]))
