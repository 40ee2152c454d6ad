        {
          alert: 'CortexMemoryMapAreasTooHigh',
          expr: |||
            process_memory_map_areas{job=~".+(cortex|ingester)"} / process_memory_map_areas_limit{job=~".+(cortex|ingester)"} > 0.8
