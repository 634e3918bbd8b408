from monitor.cli import main

if __name__ == "__main__":  # not in a worker process (monitor/parsing.py), which imports it
    main()
